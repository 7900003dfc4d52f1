import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { checkedApi, type AgentApi } from './api.js';
import { agentHandlers, type ExportTarget } from './agent/handlers.js';
import { Delivery } from './agent/delivery.js';
import { ReportBuilder, type AgentMode } from './agent/report-builder.js';
import { RunState } from './agent/run-state.js';
import { StatusHub } from './agent/status-hub.js';
import { systemFacts } from './agent/system-facts.js';
import { Sources } from './agent/sources.js';
import { agentTiming } from './agent/timing.js';
import { perStartKey, removeLegacyKey } from './anonymize/key.js';
import { machineScrubContext } from './anonymize/text.js';
import { ErrorCapture } from './collect/errors.js';
import { defaultRegistry, type MetricsRegistry } from './collect/metrics.js';
import { createSampler } from './collect/sampler.js';
import { loadConfig, type LoadedConfig } from './control/config-load.js';
import type { AnonymizeContext } from './report/make-report.js';
import { openSettingsStore, type SettingsStoreClass } from './control/settings-store.js';
import { Ledger } from './send/ledger.js';
import { Outbox } from './send/outbox.js';
import { ensureSafeDataDir } from './util/data-dir.js';
import { log } from './util/log.js';
import { APP_ROOT } from './version.js';

// The composition root: one setup per concern (main/agent/*), wired here. Transports
// (IPC, HTTP) and the CLI only ever talk to `agent.api`.

export type { AgentMode } from './agent/report-builder.js';
export type { SettingsStoreClass } from './control/settings-store.js';

export interface AgentOptions {
  mode: AgentMode;
  dataDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  disableTelemetry?: boolean;
  configPath?: string;
  /** Where config.yaml and friends live; default ./config under cwd if present, else the platform's. */
  configDir?: string;
  storeClass?: SettingsStoreClass;
  registry?: MetricsRegistry;
  /** Skip the periodic sender and sampler (the CLI reads and changes state only). */
  passive?: boolean;
  /** Overrides intake.otlp.port for the OTLP intake (`candor start --otlp-port`); 0 picks a free port. */
  otlpPort?: number;
  /** The caller already checked the data dir (acquireLock does): its walk is not repeated. */
  dataDirChecked?: true;
}

export interface Agent {
  readonly api: AgentApi;
  readonly telemetryId: string;
  readonly config: LoadedConfig;
  readonly dataDir: string;
  readonly registry: MetricsRegistry;
  setExportTarget(choose: ExportTarget | null): void;
  /** Build and enqueue a report now, then try to deliver (what the scheduler calls). */
  sendNow(): Promise<void>;
  close(): Promise<void>;
}

const ERROR_PERSIST_FILE = 'crash-reports.json';

/**
 * What the anonymizer needs to know of this machine and this start: the per-start key,
 * the names and paths that must never survive, and the app's own roots, from which a
 * stack frame's file may leave as a relative path.
 */
function anonymizeContext(httpPort: number): AnonymizeContext {
  const scrub = machineScrubContext(APP_ROOT);
  const denied = [...scrub.userNames, ...scrub.hostNames];
  const appRoots = [APP_ROOT, 'candor://app', `http://127.0.0.1:${httpPort}`, `http://localhost:${httpPort}`];
  return { key: perStartKey(), scrub, errors: { template: { denied }, roots: { appRoots, denied } } };
}

export async function createAgent(options: AgentOptions): Promise<Agent> {
  const env = options.env ?? process.env;
  const registry = options.registry ?? defaultRegistry;
  const { dataDir } = options;
  const passive = options.passive === true;
  // Before anything in it is read: refuses a data dir another user owns or can write (docs/data-dir.md).
  if (options.dataDirChecked !== true) ensureSafeDataDir(dataDir);

  const config = loadConfig({ cwd: options.cwd ?? process.cwd(), env, configPath: options.configPath, configDir: options.configDir });
  const settings = openSettingsStore({ dataDir, storeClass: options.storeClass, watch: !passive });
  const run = new RunState(config, env, settings, options.disableTelemetry === true);
  const telemetryId = randomUUID();
  try {
    if (removeLegacyKey(dataDir)) log.info(`removed ${join(dataDir, 'anonymize.key')}: hashes now use a key made at each start`);
  } catch (error) {
    log.warn(`could not remove the old per-install hashing key: ${(error as Error).message}`);
  }
  const startedAt = Date.now();
  const timing = agentTiming(registry);

  // A passive reader (a CLI command) must not take the crash report the agent will send.
  const errors = new ErrorCapture({ persistFile: join(dataDir, ERROR_PERSIST_FILE), consumePersisted: !passive });
  const uninstallErrors = options.mode === 'cli' ? () => undefined : errors.install();

  const system = systemFacts(timing.collect);
  const sampler = createSampler({ intervalMs: config.config.sampling.interval_s * 1000 });
  const outbox = new Outbox({ dir: join(dataDir, 'outbox') });
  const ledger = new Ledger({ dir: join(dataDir, 'history') });
  const sources = new Sources(run, options.otlpPort ?? config.config.intake.otlp.port);
  const reports = new ReportBuilder({
    mode: options.mode,
    telemetryId,
    run,
    system,
    registry,
    sampler,
    errors,
    sources,
    outbox,
    anonymize: anonymizeContext(config.config.service.http_port),
    timing,
  });
  const hub = new StatusHub(run, telemetryId);
  const delivery = new Delivery({ dataDir, run, outbox, ledger, reports, timing, onChange: () => hub.emit() });
  hub.attach(delivery, sources);
  // A source appearing or answered: the tray, the page and the CLI show it.
  const unwatchSources = sources.intake.onChange(() => hub.emit());

  // Settings change here or in another process: the surfaces and the senders hear of it.
  const unwatchSettings = settings.onChange(() => {
    sources.sync();
    hub.emit();
    delivery.wake();
  });

  let exportTarget: ExportTarget | null = null;
  const handlers = agentHandlers({
    telemetryId,
    run,
    hub,
    reports,
    delivery,
    outbox,
    ledger,
    sampler,
    errors,
    sources,
    exportTarget: () => exportTarget,
  });

  if (!passive) {
    sampler.start();
    // Started early so the first report does not wait; a failure shows in that report.
    system().catch((error: unknown) => log.warn(`system information: ${(error as Error).message}`));
    delivery.start();
    log.info(`telemetry id: ${telemetryId}`);
    await sources.start();
  }

  let closed = false;
  return {
    api: checkedApi(handlers),
    telemetryId,
    config,
    dataDir,
    registry,
    setExportTarget(choose) {
      exportTarget = choose;
    },
    sendNow: () => delivery.sendNow(),
    async close() {
      if (closed) return;
      closed = true;
      sampler.stop();
      await delivery.stop();
      unwatchSources();
      await sources.close();
      unwatchSettings();
      settings.close();
      uninstallErrors();
      // Errors not yet in a queued report are kept for the next start (a passive reader writes nothing).
      errors.flushPending();
      hub.clear();
      log.debug(`agent closed after ${Math.round((Date.now() - startedAt) / 1000)} s`);
    },
  };
}
