import type { TableRows } from './tables.js';

// The one storage interface both stores implement (DuckDB embedded, ClickHouse over
// HTTP). The stores only move rows and run the group-by queries; thresholds, percentile
// merging and formatting happen once, above them (collector/aggregates.ts), so the two
// cannot drift apart in what they answer.

export interface ReportItem {
  reportId: string;
  instanceId: string;
  rows: TableRows;
}

export interface InsertOutcome {
  /** report_ids written by this call. */
  stored: string[];
  /** report_ids already stored (or repeated within the batch): acknowledged, not written again. */
  duplicates: string[];
}

/** A distribution cell: `n` distinct reports (the latest per instance) have `value` for `dim`. */
export interface DimCount {
  dim: string;
  /** '' for the agent's own fields; a source's name for per-source dimensions. */
  source: string;
  value: string;
  n: number;
}

export interface TimerGroup {
  source: string;
  metric: string;
  n: number;
  count: number;
  min: number;
  max: number;
  sum: number;
}

export interface TimerBucket {
  source: string;
  metric: string;
  index: number;
  count: number;
}

export interface CounterGroup {
  source: string;
  metric: string;
  n: number;
  total: number;
}

export interface ErrorGroupRow {
  source: string;
  type: string;
  code: string;
  message: string;
  top_frame: string;
  n: number;
  count: number;
}

export interface ErrorVersionRow {
  source: string;
  type: string;
  code: string;
  message: string;
  top_frame: string;
  version: string;
  n: number;
}

/** What the aggregate page is computed from: group-by results over the latest report of each instance. */
export interface AggregateInputs {
  /** Reports received in the window (distinct report_ids). */
  reports: number;
  /** Distinct instance ids in the window; also the number of latest reports. */
  instances: number;
  dims: DimCount[];
  timers: TimerGroup[];
  buckets: TimerBucket[];
  counters: CounterGroup[];
  errors: ErrorGroupRow[];
  errorVersions: ErrorVersionRow[];
}

export interface AggregateWindow {
  /** First day included ('YYYY-MM-DD', by day of arrival), or null for everything retained. */
  since: string | null;
}

export interface DeleteOutcome {
  rowsDeleted: number;
  /** Rows of those ids still found after the deletion: 0 unless something failed. */
  remaining: number;
}

export interface Store {
  readonly kind: 'duckdb' | 'clickhouse';
  /** Where the data lives, for the start-up log (a file path, or the ClickHouse URL without credentials). */
  readonly where: string;
  /** Writes the reports not stored yet; all or nothing for DuckDB, child rows first then `reports` for ClickHouse. */
  insert(items: readonly ReportItem[]): Promise<InsertOutcome>;
  /** Deletes every row of these instance ids from every table, then counts what is left. */
  deleteInstances(ids: readonly string[]): Promise<DeleteOutcome>;
  /** Rows of these instance ids across every table (no deduplication: what is physically there). */
  countRows(ids: readonly string[]): Promise<number>;
  /** Distinct reports stored under one instance id. */
  instanceReports(id: string): Promise<number>;
  aggregateInputs(window: AggregateWindow): Promise<AggregateInputs>;
  /** Retention: removes rows that arrived before `day` ('YYYY-MM-DD'); returns how many. */
  removeBefore(day: string): Promise<number>;
  close(): Promise<void>;
}

/** The store cannot be reached or failed: the request is answered 503 with Retry-After, the agent keeps the report. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly retryAfterS = 30,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids go into SQL as literals: only canonical lower-case UUIDs ever reach a query. */
/** A batch by report_id: the first item of each id, and the ids repeated within the batch. */
export function splitRepeats(items: readonly ReportItem[]): { fresh: Map<string, ReportItem>; duplicates: string[] } {
  const fresh = new Map<string, ReportItem>();
  const duplicates: string[] = [];
  for (const item of items) {
    if (fresh.has(item.reportId)) duplicates.push(item.reportId);
    else fresh.set(item.reportId, item);
  }
  return { fresh, duplicates };
}

export function uuidLiterals(ids: readonly string[]): string {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not a canonical UUID: ${JSON.stringify(id)}`);
  return ids.map((id) => `'${id}'`).join(', ');
}

export function isCanonicalUuid(text: string): boolean {
  return UUID.test(text);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function dayLiteral(day: string): string {
  if (!DAY.test(day)) throw new Error(`not a day: ${JSON.stringify(day)}`);
  return `'${day}'`;
}
