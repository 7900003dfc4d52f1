import { dayLiteral, type AggregateWindow } from './store.js';
import type { TableName } from './tables.js';

// The aggregate queries, written once for both SQL dialects. Every figure is computed
// over the latest report of each instance in the window: timers, counters and error
// counts are cumulative since an agent started, so the latest report holds them all,
// and a distribution then counts machines, not how often each one reported. The
// latest report is the one with the greatest (generated_at, report_id as text): a tie
// in the coarsened time is broken the same way in both stores.
//
// ClickHouse may hold a report twice when two collectors take the same retry at the
// same moment (there is no unique key), and a failed insert may leave child rows of a
// report that is stored later: its queries keep one row per (report_id, key) with
// LIMIT 1 BY. Output aliases never reuse a column name: ClickHouse resolves aliases
// anywhere in the query, WHERE included. DuckDB has one writer that checks report_id first, so its rows are
// already unique and the same queries without that step give the same answer.

export type Dialect = 'duckdb' | 'clickhouse';

export interface Query {
  sql: string;
  /** Output column names, in order. */
  columns: readonly string[];
  /** Columns to read as numbers (counts arrive as bigint or text depending on the store). */
  numeric: readonly string[];
}

interface DimSpec {
  dim: string;
  table: TableName;
  /** SQL for the source column ('' for agent fields). */
  source: string;
  /** The value column; numbers where 0 means unknown are marked. */
  value: string;
  numberZeroUnknown?: boolean;
}

const DIMS: readonly DimSpec[] = [
  { dim: 'os', table: 'reports', source: "''", value: 'os_platform' },
  { dim: 'arch', table: 'reports', source: "''", value: 'os_arch' },
  { dim: 'distro', table: 'reports', source: "''", value: 'os_distro' },
  { dim: 'cpu_vendor', table: 'reports', source: "''", value: 'cpu_vendor' },
  { dim: 'cpu_cores', table: 'reports', source: "''", value: 'cpu_cores', numberZeroUnknown: true },
  { dim: 'ram_gib', table: 'reports', source: "''", value: 'ram_gib', numberZeroUnknown: true },
  { dim: 'virtualization', table: 'reports', source: "''", value: 'virtualization' },
  { dim: 'candor_version', table: 'reports', source: "''", value: 'app_version' },
  { dim: 'app_mode', table: 'reports', source: "''", value: 'app_mode' },
  { dim: 'disk_type', table: 'disks', source: "''", value: 'type' },
  { dim: 'disk_size_gb', table: 'disks', source: "''", value: 'size_gb', numberZeroUnknown: true },
  { dim: 'gpu_vendor', table: 'gpus', source: "''", value: 'vendor' },
  { dim: 'source', table: 'sources', source: "''", value: 'source' },
  { dim: 'source_version', table: 'sources', source: 'source', value: 'version' },
  { dim: 'source_sdk', table: 'sources', source: 'source', value: 'sdk_language' },
];

function since(window: AggregateWindow): string {
  return window.since === null ? '' : ` WHERE received_on >= ${dayLiteral(window.since)}`;
}

/**
 * DuckDB first keeps the latest report id of each instance in a temporary table of the
 * reading connection (see duckdb.ts); each query then semi-joins its table with it. (A
 * temporary copy of every table's latest rows costs more than the joins it saves: it
 * writes compressed column segments.) DuckDB orders UUIDs as their text, so report_id
 * breaks ties as ClickHouse's toString(report_id) does.
 */
export function duckdbLatestSql(window: AggregateWindow): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE latest_ids AS SELECT arg_max(report_id, (generated_at, report_id)) AS report_id FROM reports${since(window)} GROUP BY instance_id`,
  ];
}

function latestFilter(dialect: Dialect, window: AggregateWindow): string {
  if (dialect === 'duckdb') return 'report_id IN (SELECT report_id FROM latest_ids)';
  return `report_id IN (SELECT argMax(report_id, tuple(generated_at, toString(report_id))) FROM reports${since(window)} GROUP BY instance_id)`;
}

/**
 * Distinct reports behind a group whose rows are one per report (a report has one row
 * per timer, counter and in `reports`): DuckDB's rows are unique, so a plain count;
 * ClickHouse may hold a copy, so it counts distinct ids.
 */
const perReport = (dialect: Dialect): string => (dialect === 'duckdb' ? 'count(*)' : 'count(DISTINCT report_id)');

const text = (dialect: Dialect, expr: string): string => (dialect === 'duckdb' ? `CAST(${expr} AS VARCHAR)` : `toString(${expr})`);

/** Rows of `table` for the latest reports, one per (report, key) on ClickHouse. */
function latestRows(dialect: Dialect, window: AggregateWindow, table: TableName, columns: string, dedupeKey: string): string {
  const rows = `SELECT ${columns} FROM ${table} WHERE ${latestFilter(dialect, window)}`;
  return dialect === 'duckdb' ? `(${rows})` : `(${rows} LIMIT 1 BY ${dedupeKey})`;
}

export function totalsQuery(dialect: Dialect, window: AggregateWindow): Query {
  // DuckDB's report_ids are unique (one writer checks them) and latest_ids has one row per instance.
  const sql =
    dialect === 'duckdb'
      ? `SELECT (SELECT count(*) FROM reports${since(window)}) AS nr, (SELECT count(*) FROM latest_ids) AS ni`
      : `SELECT count(DISTINCT report_id) AS nr, count(DISTINCT instance_id) AS ni FROM reports${since(window)}`;
  return {
    sql,
    columns: ['reports', 'instances'],
    numeric: ['reports', 'instances'],
  };
}

export function dimsQuery(dialect: Dialect, window: AggregateWindow): Query {
  // DuckDB: each table's latest rows once, in a materialized CTE every branch reads.
  const tables = [...new Set(DIMS.map((d) => d.table))];
  const from = (table: TableName): string => (dialect === 'duckdb' ? `latest_${table}` : `${table} WHERE ${latestFilter(dialect, window)}`);
  const ctes = tables.map((table) => {
    const columns = new Set([
      'report_id',
      ...DIMS.filter((d) => d.table === table).flatMap((d) => [d.value, ...(d.source === "''" ? [] : [d.source])]),
    ]);
    return `latest_${table} AS MATERIALIZED (SELECT ${[...columns].join(', ')} FROM ${table} WHERE ${latestFilter(dialect, window)})`;
  });
  const parts = DIMS.map((d) => {
    const value = d.numberZeroUnknown ? `CASE WHEN ${d.value} = 0 THEN '' ELSE ${text(dialect, d.value)} END` : d.value;
    return (
      `SELECT '${d.dim}' AS d_dim, ${d.source} AS d_source, ${value} AS d_value, ${d.table === 'reports' ? perReport(dialect) : 'count(DISTINCT report_id)'} AS d_n ` +
      `FROM ${from(d.table)} GROUP BY ${d.source === "''" ? '' : `${d.source}, `}${d.value}`
    );
  });
  const body = parts.join('\nUNION ALL\n');
  return {
    sql: dialect === 'duckdb' ? `WITH ${ctes.join(', ')}\n${body}` : body,
    columns: ['dim', 'source', 'value', 'n'],
    numeric: ['n'],
  };
}

export function timersQuery(dialect: Dialect, window: AggregateWindow): Query {
  const rows = latestRows(dialect, window, 'timers', 'report_id, source, metric, count, min, max, sum', 'report_id, source, metric');
  return {
    sql:
      `SELECT source, metric, ${perReport(dialect)} AS n, sum(count) AS cnt, min(min) AS mn, max(max) AS mx, sum(sum) AS sm ` +
      `FROM ${rows} AS t WHERE count > 0 GROUP BY source, metric`,
    columns: ['source', 'metric', 'n', 'count', 'min', 'max', 'sum'],
    numeric: ['n', 'count', 'min', 'max', 'sum'],
  };
}

export function bucketsQuery(dialect: Dialect, window: AggregateWindow): Query {
  const rows = latestRows(
    dialect,
    window,
    'timers',
    'report_id, source, metric, count, bucket_index, bucket_count',
    'report_id, source, metric',
  );
  const sql =
    dialect === 'duckdb'
      ? `SELECT source, metric, idx, sum(c) AS cnt FROM (SELECT source, metric, unnest(bucket_index) AS idx, unnest(bucket_count) AS c FROM ${rows} AS t WHERE count > 0) GROUP BY source, metric, idx`
      : `SELECT source, metric, idx, sum(c) AS cnt FROM ${rows} AS t ARRAY JOIN bucket_index AS idx, bucket_count AS c WHERE count > 0 GROUP BY source, metric, idx`;
  return { sql, columns: ['source', 'metric', 'index', 'count'], numeric: ['index', 'count'] };
}

export function countersQuery(dialect: Dialect, window: AggregateWindow): Query {
  const rows = latestRows(dialect, window, 'counters', 'report_id, source, metric, value', 'report_id, source, metric');
  return {
    sql: `SELECT source, metric, ${perReport(dialect)} AS n, sum(value) AS tot FROM ${rows} AS t GROUP BY source, metric`,
    columns: ['source', 'metric', 'n', 'total'],
    numeric: ['n', 'total'],
  };
}

const ERROR_KEY = 'source, type, code, message, top_frame';

export function errorsQuery(dialect: Dialect, window: AggregateWindow): Query {
  const rows = latestRows(dialect, window, 'errors', `report_id, seq, ${ERROR_KEY}, count`, 'report_id, seq');
  return {
    sql: `SELECT ${ERROR_KEY}, count(DISTINCT report_id) AS n, sum(count) AS cnt FROM ${rows} AS t GROUP BY ${ERROR_KEY}`,
    columns: ['source', 'type', 'code', 'message', 'top_frame', 'n', 'count'],
    numeric: ['n', 'count'],
  };
}

export function errorVersionsQuery(dialect: Dialect, window: AggregateWindow): Query {
  const rows = latestRows(dialect, window, 'errors', `report_id, seq, ${ERROR_KEY}, version`, 'report_id, seq');
  return {
    sql: `SELECT ${ERROR_KEY}, version, count(DISTINCT report_id) AS n FROM ${rows} AS t GROUP BY ${ERROR_KEY}, version`,
    columns: ['source', 'type', 'code', 'message', 'top_frame', 'version', 'n'],
    numeric: ['n'],
  };
}

/** Rows as arrays (in `columns` order) to objects, numbers made numbers. */
export function toObjects<T>(query: Query, rows: readonly (readonly unknown[])[]): T[] {
  const numeric = new Set(query.numeric);
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    query.columns.forEach((name, i) => {
      const value = row[i];
      out[name] = numeric.has(name) ? Number(value ?? 0) : value === null || value === undefined ? '' : String(value);
    });
    return out as T;
  });
}
