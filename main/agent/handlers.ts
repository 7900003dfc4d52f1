import type { AgentHandlers, AgentStatus, ExportResult } from '../api.js';
import { ContractError } from '../api.js';
import type { ErrorCapture } from '../collect/errors.js';
import { parsePauseDuration } from '../control/pause.js';
import type { Settings } from '../control/settings-store.js';
import { exportReportFile, reportJson, suggestedExportName } from '../report/export.js';
import type { Payload } from '../report/payload-schema.js';
import type { Ledger } from '../send/ledger.js';
import type { Outbox } from '../send/outbox.js';
import type { Sampler } from '../collect/sampler.js';
import type { Delivery } from './delivery.js';
import type { ReportBuilder } from './report-builder.js';
import type { RunState } from './run-state.js';
import type { Sources } from './sources.js';
import type { StatusHub } from './status-hub.js';

export type ExportTarget = (suggestedName: string) => Promise<string | null>;

export interface HandlerParts {
  telemetryId: string;
  run: RunState;
  hub: StatusHub;
  reports: ReportBuilder;
  delivery: Delivery;
  outbox: Outbox;
  ledger: Ledger;
  sampler: Sampler;
  errors: ErrorCapture;
  sources: Sources;
  exportTarget: () => ExportTarget | null;
}

/**
 * The calls of the AgentApi contract. Inputs arrive validated (api.ts checks them once,
 * at the edge every transport goes through), so nothing here parses again.
 */
export function agentHandlers(parts: HandlerParts): AgentHandlers {
  const { run, hub, reports, delivery, outbox, ledger } = parts;
  const nowIso = (): string => new Date().toISOString();

  const changed = (): AgentStatus => {
    hub.emit();
    delivery.wake();
    return hub.status();
  };
  const update = (change: (s: Settings) => Settings): AgentStatus => {
    run.settings.update(change);
    return changed();
  };

  return {
    preview: ({ details_level, anonymize }) => reports.preview(details_level, anonymize),
    status: async () => hub.status(),
    samples: async () => ({ interval_s: parts.sampler.intervalS, samples: parts.sampler.recent() }),
    setConsent: async ({ granted }) => {
      const before = run.settings.get().consent.state;
      const result = update((s) => ({ ...s, consent: { state: granted ? 'granted' : 'revoked', at: nowIso() }, recovered: null }));
      // Reports queued under an earlier answer are never sent after this one: a revoke
      // discards them, and so does a new grant (anything queued then predates it).
      if (!granted || before !== 'granted') await delivery.outboxOps.run(() => outbox.clear());
      return result;
    },
    pause: async ({ duration }) => {
      const parsed = parsePauseDuration(duration);
      if (parsed.untilRestart) {
        run.setPausedUntilRestart(true);
        return changed();
      }
      return update((s) => ({ ...s, paused_until: new Date(Date.now() + parsed.ms).toISOString() }));
    },
    resume: async () => {
      run.setPausedUntilRestart(false);
      return update((s) => ({ ...s, paused_until: null }));
    },
    disable: async () => update((s) => ({ ...s, user_disabled: { value: true, at: nowIso() }, recovered: null })),
    enable: async () => update((s) => ({ ...s, user_disabled: { value: false, at: nowIso() }, recovered: null })),
    exportReport: async ({ details_level, anonymize }) => {
      const { payload } = (await reports.build(details_level, anonymize)).result;
      const filename = suggestedExportName(payload);
      const target = parts.exportTarget();
      const chosen = target ? await target(filename) : null;
      if (target && chosen === null) return { path: null, filename, bytes: 0, json: null } satisfies ExportResult;
      if (chosen) {
        const written = await exportReportFile(chosen, payload);
        return { path: written.path, filename, bytes: written.bytes, json: null };
      }
      const json = reportJson(payload);
      return { path: null, filename, bytes: Buffer.byteLength(json), json };
    },
    history: async () => ({ entries: ledger.list(), deletions: await delivery.deletion.receipts() }),
    historyBody: async ({ sha256 }) => {
      const body = ledger.body(sha256);
      return { body: body === null ? null : (JSON.parse(body) as Payload) };
    },
    clearHistory: async () => ({ cleared: ledger.clear() }),
    instanceIds: async () => ({ current: parts.telemetryId, ids: ledger.ids() }),
    requestDeletion: async ({ send }) => {
      const ids = ledger.ids();
      if (send && ids.length === 0)
        throw new ContractError('requestDeletion: nothing was ever sent from this machine, so there is nothing to delete', 409);
      return delivery.deletion.request({ ids, contact: run.config.config.telemetry.privacy_contact, send });
    },
    sources: async () => ({ sources: parts.sources.list(), intake: parts.sources.status() }),
    answerSource: async ({ name, answer }) => {
      let info;
      try {
        info = parts.sources.intake.answer(name, answer);
      } catch (error) {
        if (error instanceof RangeError) throw new ContractError(`answerSource: name: ${error.message}`);
        throw error;
      }
      // The registry's change reaches the surfaces through agent.ts's onChange wiring.
      return info;
    },
    reportError: async ({ type, message, stack }) => {
      parts.errors.record({ source: 'renderer', kind: 'reported', type, message, stack });
      return { recorded: true };
    },
    onStatus: (listener) => hub.subscribe(listener),
  };
}
