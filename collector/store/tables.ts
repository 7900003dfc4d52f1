// The collector's tables, declared once: both stores derive their DDL from this list,
// the payload mapping (collector/rows.ts) fills rows in this column order, and deletion
// and retention walk every table named here, so a table cannot be missed by either.
//
// Every table carries `received_on` (the day the report arrived: retention and the
// monthly partitions), `report_id` and `instance_id` (deletion by id). The collector
// keeps the day of arrival, never the time: a time of arrival would let whoever holds
// a proxy's access log join a report to the address it came from.

export type ColumnType = 'date' | 'datetime' | 'uuid' | 'string' | 'u8' | 'u16' | 'u32' | 'u64' | 'f64' | 'u16[]' | 'u64[]';

export interface Column {
  name: string;
  type: ColumnType;
}

export interface TableDef {
  name: TableName;
  columns: readonly Column[];
  /** ClickHouse ORDER BY: the aggregate queries group by these, and deletion looks up instance_id. */
  orderBy: readonly string[];
}

export const TABLE_NAMES = ['reports', 'disks', 'gpus', 'sources', 'timers', 'counters', 'errors'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const KEY: readonly Column[] = [
  { name: 'received_on', type: 'date' },
  { name: 'report_id', type: 'uuid' },
  { name: 'instance_id', type: 'uuid' },
];

const col = (name: string, type: ColumnType): Column => ({ name, type });

export const TABLES: Readonly<Record<TableName, TableDef>> = {
  reports: {
    name: 'reports',
    columns: [
      ...KEY,
      col('generated_at', 'datetime'),
      col('schema_version', 'u8'),
      col('details_level', 'u8'),
      col('app_version', 'string'),
      col('app_mode', 'string'),
      col('node_version', 'string'),
      col('electron_version', 'string'),
      col('os_platform', 'string'),
      col('os_arch', 'string'),
      col('os_distro', 'string'),
      col('os_release', 'string'),
      col('cpu_vendor', 'string'),
      col('cpu_cores', 'u16'),
      col('cpu_physical_cores', 'u16'),
      col('ram_gib', 'u32'),
      col('virtualization', 'string'),
      col('hypervisor', 'string'),
      col('dropped_reports', 'u32'),
      col('errors_dropped', 'u32'),
    ],
    orderBy: ['instance_id', 'generated_at', 'report_id'],
  },
  disks: {
    name: 'disks',
    columns: [...KEY, col('type', 'string'), col('size_gb', 'u32')],
    orderBy: ['instance_id', 'report_id'],
  },
  gpus: {
    name: 'gpus',
    columns: [...KEY, col('vendor', 'string')],
    orderBy: ['instance_id', 'report_id'],
  },
  sources: {
    name: 'sources',
    columns: [
      ...KEY,
      col('source', 'string'),
      col('version', 'string'),
      col('sdk_language', 'string'),
      col('sdk_name', 'string'),
      col('sdk_version', 'string'),
    ],
    orderBy: ['source', 'instance_id', 'report_id'],
  },
  timers: {
    name: 'timers',
    columns: [
      ...KEY,
      col('source', 'string'),
      col('metric', 'string'),
      col('count', 'u64'),
      col('min', 'f64'),
      col('max', 'f64'),
      col('sum', 'f64'),
      col('bucket_index', 'u16[]'),
      col('bucket_count', 'u64[]'),
    ],
    orderBy: ['source', 'metric', 'instance_id', 'report_id'],
  },
  counters: {
    name: 'counters',
    columns: [...KEY, col('source', 'string'), col('metric', 'string'), col('value', 'f64')],
    orderBy: ['source', 'metric', 'instance_id', 'report_id'],
  },
  errors: {
    name: 'errors',
    columns: [
      ...KEY,
      // Position in the report's list: two errors of one report may read the same once anonymized.
      col('seq', 'u16'),
      col('source', 'string'),
      col('version', 'string'),
      col('kind', 'string'),
      col('type', 'string'),
      col('code', 'string'),
      col('message', 'string'),
      col('top_frame', 'string'),
      col('count', 'u64'),
    ],
    orderBy: ['source', 'type', 'code', 'instance_id', 'report_id'],
  },
};

/** A row: values in the table's column order. Dates are 'YYYY-MM-DD', datetimes 'YYYY-MM-DD HH:MM:SS' (UTC). */
export type CellValue = string | number | readonly number[];
export type Row = CellValue[];

/** Rows for every table, from one or more reports. */
export type TableRows = Record<TableName, Row[]>;

export function emptyRows(): TableRows {
  return { reports: [], disks: [], gpus: [], sources: [], timers: [], counters: [], errors: [] };
}

/** Every column of type string, per table: what the privacy checks search. */
export function stringColumns(table: TableName): string[] {
  return TABLES[table].columns.filter((c) => c.type === 'string').map((c) => c.name);
}
