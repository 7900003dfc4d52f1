// The answer of GET /v1/aggregates, as a type: shared by the server (collector/aggregates.ts)
// and the dashboard, which imports nothing else of the collector.

export interface Cell {
  value: string;
  reports: number;
}

export interface Distribution {
  dim: string;
  cells: Cell[];
  /** Cells left out because fewer than min_group_size reports back them. */
  suppressed: number;
}

export interface TimerAggregate {
  metric: string;
  reports: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  /** From the merged histograms; null when no report carried one (schema v1). */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Observations the merged histograms hold. */
  histogram_count: number;
}

export interface CounterAggregate {
  metric: string;
  reports: number;
  total: number;
}

export interface ErrorGroup {
  type: string;
  code: string;
  message: string;
  top_frame: string;
  reports: number;
  count: number;
  versions: Cell[];
  suppressed_versions: number;
}

export interface SourceAggregates {
  name: string;
  reports: number;
  distributions: Distribution[];
  timers: TimerAggregate[];
  counters: CounterAggregate[];
  errors: ErrorGroup[];
  suppressed: number;
}

export interface Aggregates {
  window: { since: string | null };
  min_group_size: number;
  /** Reports received in the window, and distinct instance ids (each instance counts by its latest report). */
  reports: number;
  instances: number;
  distributions: Distribution[];
  timers: TimerAggregate[];
  counters: CounterAggregate[];
  errors: ErrorGroup[];
  sources: SourceAggregates[];
  /** Every cell left out anywhere in this answer. */
  suppressed: number;
}
