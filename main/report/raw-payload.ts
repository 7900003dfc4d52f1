import type {
  ErrorsSection,
  InstanceSummary,
  LoadSection,
  MetricDetail,
  Payload,
  RecentSample,
  SourceSection,
  SystemSection,
  TimerStats,
  Unavailable,
} from './payload-schema.js';
import { SCHEMA_VERSION } from './payload-schema.js';
import { knownErrorCode } from '../anonymize/error-code.js';
import { MAX_FRAMES, parseStackFrames, printedFunctionName } from '../anonymize/frames.js';
import type { RecordedError, RecordedErrors } from '../collect/error-records.js';

/** Everything a report is made of, as collected (raw, not yet anonymized or filtered by level). */
export interface ReportSources {
  id: string;
  /** New for every report (the receiver deduplicates on it). */
  reportId: string;
  version: string;
  mode: 'desktop' | 'headless' | 'cli';
  electronVersion: string | null;
  system: SystemSection;
  instance: InstanceSummary;
  timers: Record<string, TimerStats>;
  counters: Record<string, number>;
  load: LoadSection | Unavailable;
  detail: MetricDetail[];
  recentSamples: RecentSample[];
  errors: RecordedErrors;
  /** Allowed sources (apps reporting through the intake), already in the payload's shape. */
  sources: SourceSection[];
  droppedReports: number;
  now: Date;
}

/** The full raw payload at the highest level; the schema walker cuts it to a level and anonymizes it. */
export function rawPayload(s: ReportSources): Payload {
  return {
    schema_version: SCHEMA_VERSION,
    id: s.id,
    report_id: s.reportId,
    anonymized: false,
    details_level: 4,
    generated_at: s.now.toISOString(),
    app: { name: 'candor', version: s.version, mode: s.mode, node_version: process.versions.node, electron_version: s.electronVersion },
    delivery: { dropped_reports: s.droppedReports },
    system: s.system,
    instance: s.instance,
    performance: { timers: s.timers, counters: s.counters, load: s.load, detail: s.detail, recent_samples: s.recentSamples },
    sources: s.sources,
    errors: errorsSection(s.errors),
  };
}

/**
 * Errors as the raw payload holds them: the recorded text, plus the parts the error
 * rules build from (the code, known codes in the message standing in for a missing
 * one, and the parsed top frames with their raw locations).
 */
export function errorsSection(recorded: RecordedErrors): ErrorsSection {
  return { captured: recorded.captured.map(capturedError), dropped: recorded.dropped };
}

function capturedError(e: RecordedError): ErrorsSection['captured'][number] {
  return {
    fingerprint: e.fingerprint,
    source: e.source,
    kind: e.kind,
    type: e.type,
    code: e.code ?? knownErrorCode(null, e.message),
    message: e.message,
    frames: parseStackFrames(e.stack, MAX_FRAMES).map((f) => ({ fn: printedFunctionName(f), file: f.location, line: f.line, col: f.col })),
    stack: e.stack,
    count: e.count,
    first_seen: e.first_seen,
    last_seen: e.last_seen,
  };
}
