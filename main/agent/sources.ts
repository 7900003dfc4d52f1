import { createIntake, type Intake } from '../intake/intake.js';
import type { RawSourceSection, SourceInfo } from '../intake/source-registry.js';
import type { SourceSection } from '../report/payload-schema.js';
import { errorsSection } from '../report/raw-payload.js';
import { log } from '../util/log.js';
import type { RunState } from './run-state.js';

// The apps on this machine that report through Candor (issue 11): the OTLP intake, the
// person's answer for each (persisted in settings, winning over the operator's), and
// their data in the shape the payload schema walks. Every global switch still stops
// all sending; with sending off the intake keeps feeding the local preview.

export interface IntakeStatus {
  /** Whether the intake listens (not in a passive CLI process, nor when intake.otlp.enabled is false). */
  listening: boolean;
  port: number | null;
  /** Why it does not listen, when it should. */
  problem: string | null;
}

export class Sources {
  readonly intake: Intake;
  private state: IntakeStatus = { listening: false, port: null, problem: null };

  constructor(
    private readonly run: RunState,
    private readonly port: number,
  ) {
    const intake = run.config.config.intake;
    this.intake = createIntake({
      port,
      operator: intake.sources,
      answers: run.settings.get().sources,
      onAnswer: (name, answer) => run.settings.update((s) => ({ ...s, sources: { ...s.sources, [name]: answer } })),
    });
  }

  /** Listens on 127.0.0.1; a taken port is logged, and the agent runs on without the intake. */
  async start(): Promise<void> {
    if (!this.run.config.config.intake.otlp.enabled) {
      this.state = { listening: false, port: null, problem: 'intake.otlp.enabled is false' };
      return;
    }
    try {
      const { port } = await this.intake.start();
      this.state = { listening: true, port, problem: null };
      log.info(`OpenTelemetry intake: http://127.0.0.1:${port} (OTLP/HTTP metrics and logs)`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem =
        code === 'EADDRINUSE'
          ? `127.0.0.1:${this.port} is in use (another OpenTelemetry collector?); choose another with intake.otlp.port or --otlp-port`
          : `cannot listen on 127.0.0.1:${this.port}: ${(error as Error).message}`;
      this.state = { listening: false, port: null, problem };
      log.warn(`OpenTelemetry intake not started: ${problem}; apps cannot report through Candor`);
    }
  }

  status(): IntakeStatus {
    return { ...this.state };
  }

  list(): SourceInfo[] {
    return this.intake.sources();
  }

  /** Answers written by another process (the CLI, a second window). */
  sync(): void {
    this.intake.syncAnswers(this.run.settings.get().sources);
  }

  /** Allowed sources, RAW, as the payload's `sources` section. */
  section(): SourceSection[] {
    return this.intake.rawSources().map(sourceSection);
  }

  /** Pending sources, RAW, for the preview only. */
  pending(): SourceSection[] {
    return this.intake.pendingPreview().map(sourceSection);
  }

  close(): Promise<void> {
    return this.intake.close();
  }
}

/** The intake's raw section in the payload's shape (labels split into categories and values to hash). */
export function sourceSection(raw: RawSourceSection): SourceSection {
  return {
    name: raw.name,
    version: raw.version,
    sdk: raw.sdk,
    os_type: raw.os_type,
    counters: raw.counters,
    timers: raw.timers,
    detail: raw.detail.map((d) => ({
      name: d.name,
      kind: d.kind,
      unit: d.unit,
      labels: d.labels.categories,
      hashed_labels: d.labels.hashed,
      ...(d.value === undefined ? {} : { value: d.value }),
      ...(d.stats === undefined ? {} : { stats: d.stats }),
    })),
    errors: errorsSection(raw.errors),
    dropped: raw.dropped,
  };
}
