import type {
  ErrorsSection,
  InstanceSummary,
  LoadSection,
  MetricDetail,
  Payload,
  RecentSample,
  SystemSection,
  TimerStats,
  Unavailable,
} from './payload-schema.js';
import { SCHEMA_VERSION } from './payload-schema.js';

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
  errors: ErrorsSection;
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
    errors: s.errors,
  };
}
