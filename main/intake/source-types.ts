// The shapes the agent's API shows of the intake's sources: plain types with no
// imports, so the renderer's DOM-only type check can use them too.

export type SourceState = 'pending' | 'allowed' | 'denied';
export type AnsweredBy = 'person' | 'operator' | 'none';

/** The OpenTelemetry SDK an app reports with (telemetry.sdk.*), as the intake keeps it. */
export interface SourceSdk {
  language: string | null;
  name: string | null;
  version: string | null;
}

export interface SourceInfo {
  name: string;
  state: SourceState;
  answered_by: AnsweredBy;
  answered_at: string | null;
  /** Whether the app has sent anything since the agent started. */
  seen: boolean;
  first_seen: string | null;
  last_seen: string | null;
  version: string | null;
  sdk: SourceSdk | null;
  /** Data points and log records received (also while pending or denied); errors = error log records. */
  counts: { data_points: number; log_records: number; error_records: number; dropped: number };
  /** Estimated bytes its aggregates take (0 when denied). */
  memory_bytes: number;
}
