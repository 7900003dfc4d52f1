import type { Aggregates, CounterAggregate, Distribution, ErrorGroup, TimerAggregate } from './aggregates.js';

// The aggregates as one CSV table (RFC 4180), one row per cell, for spreadsheets. Only
// what GET /v1/aggregates shows: suppressed cells are absent here too. A text that a
// spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe:
// message templates come from the agents, not from the operator.

export const CSV_COLUMNS = [
  'section',
  'source',
  'name',
  'value',
  'reports',
  'count',
  'total',
  'min',
  'max',
  'mean',
  'p50',
  'p95',
  'p99',
  'code',
  'top_frame',
  'versions',
] as const;

type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>;

function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function rowsOf(
  source: string,
  parts: { distributions: Distribution[]; timers: TimerAggregate[]; counters: CounterAggregate[]; errors: ErrorGroup[] },
): CsvRow[] {
  const rows: CsvRow[] = [];
  for (const dist of parts.distributions)
    for (const cell of dist.cells) rows.push({ section: 'distribution', source, name: dist.dim, value: cell.value, reports: cell.reports });
  for (const t of parts.timers)
    rows.push({
      section: 'timer',
      source,
      name: t.metric,
      reports: t.reports,
      count: t.count,
      min: t.min,
      max: t.max,
      mean: t.mean,
      p50: t.p50,
      p95: t.p95,
      p99: t.p99,
    });
  for (const c of parts.counters) rows.push({ section: 'counter', source, name: c.metric, reports: c.reports, total: c.total });
  for (const e of parts.errors)
    rows.push({
      section: 'error',
      source,
      name: e.type,
      value: e.message,
      reports: e.reports,
      count: e.count,
      code: e.code,
      top_frame: e.top_frame,
      versions: e.versions.map((v) => `${v.value} (${v.reports})`).join('; '),
    });
  return rows;
}

export function aggregatesCsv(aggregates: Aggregates): string {
  const rows = [
    { section: 'totals', name: 'reports', total: aggregates.reports },
    { section: 'totals', name: 'instances', total: aggregates.instances },
    { section: 'totals', name: 'suppressed_cells', total: aggregates.suppressed },
    ...rowsOf('', aggregates),
    ...aggregates.sources.flatMap((s) => rowsOf(s.name, s)),
  ] as CsvRow[];
  const lines = [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => field(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
