import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentApi, AgentStatus, CallOutputs, Consent, ExportResult } from './api.js';
import { ContractError, parseInput } from './api.js';
import { loadOrCreateKey } from './anonymize/key.js';
import { machineScrubContext } from './anonymize/text.js';
import { ErrorCapture } from './collect/errors.js';
import { instanceSummary, operatorDisabled, switchFlags } from './collect/instance.js';
import { defaultRegistry, type MetricsRegistry } from './collect/metrics.js';
import { createSampler, type Sampler } from './collect/sampler.js';
import { collectSystem } from './collect/system.js';
import { loadConfig, type LoadedConfig } from './control/config-load.js';
import { effectiveState, type EffectiveState } from './control/effective-state.js';
import { parsePauseDuration } from './control/pause.js';
import { openSettingsStore, type Settings, type SettingsStore, type SettingsStoreClass } from './control/settings-store.js';
import { exportReportFile, reportJson, suggestedExportName } from './report/export.js';
import { makeReport, type AnonymizeContext } from './report/make-report.js';
import type { Payload, SystemSection } from './report/payload-schema.js';
import { rawPayload } from './report/raw-payload.js';
import { DeletionQueue } from './send/deletion.js';
import { Ledger } from './send/ledger.js';
import { Outbox } from './send/outbox.js';
import { Scheduler } from './send/scheduler.js';
import { Sender } from './send/sender.js';
import { Serial } from './send/serial.js';
import { log } from './util/log.js';
import { APP_ROOT, USER_AGENT, VERSION } from './version.js';

// The composition root: wires collectors, control, report and sender, and implements
// AgentApi. Transports (IPC, HTTP) and the CLI only ever talk to `agent.api`.

export type AgentMode = 'desktop' | 'headless' | 'cli';

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
}

export interface Agent {
  readonly api: AgentApi;
  readonly telemetryId: string;
  readonly config: LoadedConfig;
  readonly dataDir: string;
  readonly registry: MetricsRegistry;
  setExportTarget(choose: ((suggestedName: string) => Promise<string | null>) | null): void;
  /** Build and enqueue a report now, then try to deliver (what the scheduler calls). */
  sendNow(): Promise<void>;
  close(): Promise<void>;
}

const ERROR_PERSIST_FILE = 'crash-reports.json';

export async function createAgent(options: AgentOptions): Promise<Agent> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const registry = options.registry ?? defaultRegistry;
  const dataDir = options.dataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const config = loadConfig({ cwd, env, configPath: options.configPath, configDir: options.configDir });
  const settings: SettingsStore = openSettingsStore({ dataDir, storeClass: options.storeClass, watch: !options.passive });
  const anonymizeCtx: AnonymizeContext = { key: loadOrCreateKey(dataDir), scrub: machineScrubContext(APP_ROOT) };
  const telemetryId = randomUUID();
  const startedAt = Date.now();
  let pausedUntilRestart = false;

  const timing = {
    collect: registry.histogram('candor_collect_ms', 'Duration of one system information call.'),
    report: registry.histogram('candor_report_build_ms', 'Time to build and anonymize one report.'),
    anonymize: registry.histogram('candor_anonymize_ms', 'Time to cut one report to its level, anonymize and validate it.'),
    upload: registry.histogram('candor_upload_ms', 'Duration of one delivery attempt.'),
    reports: registry.counter('candor_reports_built', 'Reports built (previews and sends).'),
  };

  // A passive reader (a CLI command) must not take the crash report the agent will send.
  const errors = new ErrorCapture({ persistFile: join(dataDir, ERROR_PERSIST_FILE), consumePersisted: !options.passive });
  const uninstallErrors = options.mode === 'cli' ? () => undefined : errors.install();

  // Static facts are read once per start, lazily, and shared by every report.
  let systemPromise: Promise<SystemSection> | null = null;
  const system = (): Promise<SystemSection> => {
    // A failed collection is not cached: the next report tries again.
    systemPromise ??= collectSystem({ onTiming: (name, ms) => timing.collect.bind({ collector: name }).record(ms) }).catch(
      (error: unknown) => {
        systemPromise = null;
        throw error;
      },
    );
    return systemPromise;
  };

  const sampler: Sampler = createSampler({ intervalMs: config.config.sampling.interval_s * 1000 });
  if (!options.passive) {
    sampler.start();
    // Started early so the first report does not wait; a failure shows in that report.
    system().catch((error: unknown) => log.warn(`system information: ${(error as Error).message}`));
  }

  const outbox = new Outbox({ dir: join(dataDir, 'outbox') });
  const ledger = new Ledger({ dir: join(dataDir, 'history') });
  const endpoint = (): string | null => config.config.telemetry.endpoint;

  const state = (now = new Date()): EffectiveState =>
    effectiveState(config, env, { argvDisableTelemetry: options.disableTelemetry === true, pausedUntilRestart }, settings.get(), now);

  const sender = new Sender({
    outbox,
    ledger,
    endpoint,
    gate: () => state(),
    userAgent: USER_AGENT,
    timing: (ms) => timing.upload.record(ms),
    onStateChange: () => emitStatus(),
  });

  // Deletion requests carry only ids and are the one thing sent after consent is
  // revoked; an operator's switch (env, config, CLI flag, DO_NOT_TRACK) still stops them.
  const deletion = new DeletionQueue({
    dir: join(dataDir, 'deletion'),
    endpoint: () => config.config.telemetry.deletion_endpoint,
    gate: () =>
      !operatorDisabled(
        switchFlags(config, {
          env,
          settings: settings.get(),
          argvDisableTelemetry: options.disableTelemetry === true,
          pausedUntilRestart,
          now: new Date(),
        }),
      ),
    userAgent: USER_AGENT,
  });

  async function buildRaw(): Promise<Payload> {
    const current = settings.get();
    return rawPayload({
      id: telemetryId,
      version: VERSION,
      mode: options.mode,
      electronVersion: process.versions.electron ?? null,
      system: await system(),
      instance: instanceSummary(config, {
        env,
        dataDir,
        settings: current,
        argvDisableTelemetry: options.disableTelemetry === true,
        pausedUntilRestart,
        now: new Date(),
      }),
      timers: registry.timers(),
      counters: registry.counters(),
      load: sampler.aggregate(),
      detail: registry.detail(),
      recentSamples: sampler.recent(60),
      errors: errors.section(),
      droppedReports: outbox.droppedCount(),
      now: new Date(),
    });
  }

  async function preview(level: number, anonymize: boolean): Promise<CallOutputs['preview']> {
    const stop = timing.report.startTimer();
    const raw = await buildRaw();
    const stopAnonymize = timing.anonymize.startTimer();
    const result = makeReport(raw, level, anonymize, anonymizeCtx);
    stopAnonymize();
    stop();
    timing.reports.add();
    return result;
  }

  // Queueing a report and discarding the queue (consent revoked) never interleave.
  const outboxOps = new Serial();

  async function sendNow(): Promise<void> {
    if (!state().sending) return;
    const consentAt = settings.get().consent.at;
    const { payload } = await preview(config.config.telemetry.details_level, true);
    await outboxOps.run(async () => {
      // Building took time: a switch or a new consent answer (here or from another
      // process) in the meantime means this report was built without permission.
      if (!state().sending || settings.get().consent.at !== consentAt) return;
      await outbox.add(JSON.stringify(payload));
    });
    await sender.flush();
  }

  const scheduler = new Scheduler({
    firstDelayMs: config.config.telemetry.first_delay_s * 1000,
    intervalMs: config.config.telemetry.interval_s * 1000,
    produce: sendNow,
  });

  // Status changes come from settings (this or another process), pause expiry and delivery.
  const listeners = new Set<(status: AgentStatus) => void>();
  let lastStatusJson = '';
  function status(): AgentStatus {
    const s = settings.get();
    const eff = state();
    return {
      collecting: eff.collecting,
      sending: eff.sending,
      reasons: eff.reasons,
      consent: s.consent.state as Consent,
      consent_at: s.consent.at,
      user_disabled: s.user_disabled.value,
      paused_until: pausedUntilRestart ? 'restart' : s.paused_until,
      telemetry_id: telemetryId,
      endpoint_configured: endpoint() !== null,
      deletion_endpoint_configured: config.config.telemetry.deletion_endpoint !== null,
      details_level: config.config.telemetry.details_level,
      send_interval_s: config.config.telemetry.interval_s,
      endpoint_host: endpointHost(endpoint()),
      delivery: eff.sending ? sender.state : 'off',
      outbox_pending: pendingCount,
    };
  }
  let pendingCount = 0;
  function emitStatus(): void {
    const current = status();
    const json = JSON.stringify(current);
    if (json === lastStatusJson) return;
    lastStatusJson = json;
    for (const listener of listeners) {
      try {
        listener(current);
      } catch (error) {
        log.warn(`status listener failed: ${(error as Error).message}`);
      }
    }
  }
  // Whether sending was on at the last look: the ticker wakes the senders when it comes back.
  let wasSending = state().sending;
  // The sender and the deletion queue judge "off" themselves: waking them on every
  // change lets a switch turned on abort a request in flight at once.
  const unwatchSettings = settings.onChange(() => {
    emitStatus();
    sender.wake();
    deletion.wake();
    // Seen here too, so a short pause from another process is not missed by the ticker.
    wasSending = state().sending;
  });
  // Pause expiry has no event of its own; a cheap once-a-second check catches it, and
  // wakes the senders when sending comes back on, so queued reports go out at once.
  const ticker = options.passive
    ? null
    : setInterval(() => {
        const sendingNow = state().sending;
        if (sendingNow && !wasSending) {
          sender.wake();
          deletion.wake();
        }
        wasSending = sendingNow;
        void outbox.list().then(
          (list) => {
            pendingCount = list.length;
            emitStatus();
          },
          () => undefined,
        );
      }, 1000);
  ticker?.unref();

  if (!options.passive) {
    sender.start();
    scheduler.start();
    deletion.start();
    log.info(`telemetry id: ${telemetryId}`);
  }

  let exportTarget: ((suggestedName: string) => Promise<string | null>) | null = null;

  function update(change: (s: Settings) => Settings): AgentStatus {
    settings.update(change);
    emitStatus();
    sender.wake();
    deletion.wake();
    return status();
  }

  const nowIso = (): string => new Date().toISOString();

  const api: AgentApi = {
    preview: async (input) => {
      const args = parseInput('preview', input);
      return preview(args.details_level, args.anonymize);
    },
    status: async (input) => {
      parseInput('status', input);
      return status();
    },
    samples: async (input) => {
      parseInput('samples', input);
      return { interval_s: sampler.intervalS, samples: sampler.recent() };
    },
    setConsent: async (input) => {
      const { granted } = parseInput('setConsent', input);
      const before = settings.get().consent.state;
      const result = update((s) => ({ ...s, consent: { state: granted ? 'granted' : 'revoked', at: nowIso() }, recovered: null }));
      // Reports queued under an earlier answer are never sent after this one: a revoke
      // discards them, and so does a new grant (anything queued then predates it).
      if (!granted || before !== 'granted') await outboxOps.run(() => outbox.clear());
      return result;
    },
    pause: async (input) => {
      const { duration } = parseInput('pause', input);
      const parsed = parsePauseDuration(duration);
      if (parsed.untilRestart) {
        pausedUntilRestart = true;
        emitStatus();
        sender.wake();
        return status();
      }
      return update((s) => ({ ...s, paused_until: new Date(Date.now() + parsed.ms).toISOString() }));
    },
    resume: async (input) => {
      parseInput('resume', input);
      pausedUntilRestart = false;
      return update((s) => ({ ...s, paused_until: null }));
    },
    disable: async (input) => {
      parseInput('disable', input);
      return update((s) => ({ ...s, user_disabled: { value: true, at: nowIso() }, recovered: null }));
    },
    enable: async (input) => {
      parseInput('enable', input);
      return update((s) => ({ ...s, user_disabled: { value: false, at: nowIso() }, recovered: null }));
    },
    exportReport: async (input) => {
      const args = parseInput('exportReport', input);
      const { payload } = await preview(args.details_level, args.anonymize);
      const filename = suggestedExportName(payload);
      const chosen = exportTarget ? await exportTarget(filename) : null;
      if (exportTarget && chosen === null) return { path: null, filename, bytes: 0, json: null } satisfies ExportResult;
      if (chosen) {
        const written = await exportReportFile(chosen, payload);
        return { path: written.path, filename, bytes: written.bytes, json: null };
      }
      const json = reportJson(payload);
      return { path: null, filename, bytes: Buffer.byteLength(json), json };
    },
    history: async (input) => {
      parseInput('history', input);
      return { entries: ledger.list(), deletions: await deletion.receipts() };
    },
    historyBody: async (input) => {
      const { sha256 } = parseInput('historyBody', input);
      const body = ledger.body(sha256);
      return { body: body === null ? null : (JSON.parse(body) as Payload) };
    },
    clearHistory: async (input) => {
      parseInput('clearHistory', input);
      return { cleared: ledger.clear() };
    },
    instanceIds: async (input) => {
      parseInput('instanceIds', input);
      return { current: telemetryId, ids: ledger.ids() };
    },
    requestDeletion: async (input) => {
      const { send } = parseInput('requestDeletion', input);
      const ids = ledger.ids();
      if (send && ids.length === 0)
        throw new ContractError('requestDeletion: nothing was ever sent from this machine, so there is nothing to delete', 409);
      return deletion.request({ ids, contact: config.config.telemetry.privacy_contact, send });
    },
    reportError: async (input) => {
      const args = parseInput('reportError', input);
      errors.record({ source: 'renderer', kind: 'reported', type: args.type, message: args.message, stack: args.stack });
      return { recorded: true };
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  let closed = false;
  return {
    api,
    telemetryId,
    config,
    dataDir,
    registry,
    setExportTarget(choose) {
      exportTarget = choose;
    },
    sendNow,
    async close() {
      if (closed) return;
      closed = true;
      if (ticker) clearInterval(ticker);
      scheduler.stop();
      sampler.stop();
      await sender.stop();
      deletion.stop();
      unwatchSettings();
      settings.close();
      uninstallErrors();
      listeners.clear();
      log.debug(`agent closed after ${Math.round((Date.now() - startedAt) / 1000)} s`);
    },
  };
}

function endpointHost(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
