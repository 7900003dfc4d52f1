import { randomUUID } from 'node:crypto';
import type { PreviewResult } from '../api.js';
import type { ErrorCapture, MarkQueued } from '../collect/errors.js';
import { instanceSummary } from '../collect/instance.js';
import type { MetricsRegistry } from '../collect/metrics.js';
import type { Sampler } from '../collect/sampler.js';
import { makeReport, previewPendingSources, type AnonymizeContext } from '../report/make-report.js';
import type { Payload, SystemSection } from '../report/payload-schema.js';
import { rawPayload } from '../report/raw-payload.js';
import type { Outbox } from '../send/outbox.js';
import { VERSION } from '../version.js';
import type { RunState } from './run-state.js';
import type { Sources } from './sources.js';
import type { AgentTiming } from './timing.js';

export type AgentMode = 'desktop' | 'headless' | 'cli';

export interface ReportBuilderParts {
  mode: AgentMode;
  telemetryId: string;
  run: RunState;
  system: () => Promise<SystemSection>;
  registry: MetricsRegistry;
  sampler: Sampler;
  errors: ErrorCapture;
  sources: Sources;
  outbox: Outbox;
  anonymize: AnonymizeContext;
  timing: AgentTiming;
}

/** Builds reports: the raw payload from every collector, then cut and anonymized by the schema. */
export class ReportBuilder {
  constructor(private readonly parts: ReportBuilderParts) {}

  async raw(): Promise<Payload> {
    return (await this.rawWithMark()).raw;
  }

  private async rawWithMark(): Promise<{ raw: Payload; markQueued: MarkQueued }> {
    const { parts } = this;
    const now = new Date();
    const system = await parts.system();
    const errors = parts.errors.sectionForReport();
    const raw = rawPayload({
      id: parts.telemetryId,
      reportId: randomUUID(),
      version: VERSION,
      mode: parts.mode,
      electronVersion: process.versions.electron ?? null,
      system,
      instance: instanceSummary(parts.run.config, {
        env: parts.run.env,
        settings: parts.run.settings.get(),
        argvDisableTelemetry: parts.run.argvDisableTelemetry,
        pausedUntilRestart: parts.run.pausedUntilRestart,
        now,
      }),
      timers: parts.registry.timers(),
      counters: parts.registry.counters(),
      load: parts.sampler.aggregate(),
      detail: parts.registry.detail(),
      recentSamples: parts.sampler.recent(60),
      errors: errors.section,
      sources: parts.sources.section(),
      droppedReports: parts.outbox.droppedCount(),
      now,
    });
    return { raw, markQueued: errors.markQueued };
  }

  /** The payload at a level, anonymized or raw, with the list of changed fields, and what apps awaiting an answer would send. */
  async preview(level: number, anonymize: boolean): Promise<PreviewResult> {
    const { result } = await this.build(level, anonymize);
    return { ...result, pending: previewPendingSources(this.parts.sources.pending(), level, anonymize, this.parts.anonymize) };
  }

  /** A report to queue or export: the payload, and what to call once it is queued (the errors it carried are then sent). */
  async build(level: number, anonymize: boolean): Promise<{ result: Omit<PreviewResult, 'pending'>; markQueued: MarkQueued }> {
    const { timing } = this.parts;
    const stop = timing.report.startTimer();
    const { raw, markQueued } = await this.rawWithMark();
    const stopAnonymize = timing.anonymize.startTimer();
    const result = makeReport(raw, level, anonymize, this.parts.anonymize);
    stopAnonymize();
    stop();
    timing.reports.add();
    return { result, markQueued };
  }
}
