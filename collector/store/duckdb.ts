import {
  DATE,
  DuckDBAppender,
  DOUBLE,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBListType,
  DuckDBTimestampValue,
  DuckDBUUIDValue,
  listValue,
  TIMESTAMP,
  UBIGINT,
  UINTEGER,
  USMALLINT,
  UTINYINT,
  UUID,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { Serial } from '../../main/send/serial.js';
import {
  bucketsQuery,
  countersQuery,
  dimsQuery,
  duckdbLatestSql,
  errorVersionsQuery,
  errorsQuery,
  timersQuery,
  toObjects,
  totalsQuery,
  type Query,
} from './aggregate-sql.js';
import {
  dayLiteral,
  splitRepeats,
  StoreUnavailableError,
  uuidLiterals,
  type AggregateInputs,
  type AggregateWindow,
  type DeleteOutcome,
  type InsertOutcome,
  type ReportItem,
  type Store,
} from './store.js';
import { ReportIdFilter } from './report-id-filter.js';
import { TABLE_NAMES, TABLES, type CellValue, type ColumnType, type Row, type TableName } from './tables.js';

// The embedded store: one DuckDB file in the collector's data dir, no server. DuckDB
// lets one process open a file for writing, so this collector is its only writer: a
// write connection (inserts, deletions, retention, one at a time) and a read connection
// for the aggregate queries, which see the last committed state (MVCC) without
// waiting for a write. A commit reaches the write-ahead log with an fsync before
// insert() resolves, which is what lets the HTTP answer say "stored".
//
// The write path is the collector's group commit, so what one write costs in fixed
// steps is paid by every report in it (docs/benchmarks.md, collector ingest):
// - the appenders are made once and kept (an appender outlives transactions: what it
//   flushes belongs to the transaction open at the flush, and leaves with its rollback);
// - the next insert's transaction is opened as soon as a commit returns, while the next
//   batch forms: under load each query's answer waits its turn behind the HTTP work on
//   the event loop, and a write then waits for one (its COMMIT) instead of two.

const SQL_TYPE: Record<ColumnType, string> = {
  date: 'DATE',
  datetime: 'TIMESTAMP',
  uuid: 'UUID',
  string: 'VARCHAR',
  u8: 'UTINYINT',
  u16: 'USMALLINT',
  u32: 'UINTEGER',
  u64: 'UBIGINT',
  f64: 'DOUBLE',
  'u16[]': 'USMALLINT[]',
  'u64[]': 'UBIGINT[]',
};

const CHUNK_TYPE: Record<ColumnType, DuckDBType> = {
  date: DATE,
  datetime: TIMESTAMP,
  uuid: UUID,
  string: VARCHAR,
  u8: UTINYINT,
  u16: USMALLINT,
  u32: UINTEGER,
  u64: UBIGINT,
  f64: DOUBLE,
  'u16[]': new DuckDBListType(USMALLINT),
  'u64[]': new DuckDBListType(UBIGINT),
};

/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;
const DAY_MS = 86_400_000;

// A batch's rows share a handful of days and minutes: parse each text once.
const days = new Map<string, DuckDBDateValue>();
const minutes = new Map<string, DuckDBTimestampValue>();

function dayValue(text: string): DuckDBDateValue {
  let value = days.get(text);
  if (value === undefined) {
    if (days.size > 10_000) days.clear();
    value = new DuckDBDateValue(Math.round(Date.parse(`${text}T00:00:00Z`) / DAY_MS));
    days.set(text, value);
  }
  return value;
}

function timestampValue(text: string): DuckDBTimestampValue {
  let value = minutes.get(text);
  if (value === undefined) {
    if (minutes.size > 100_000) minutes.clear();
    value = new DuckDBTimestampValue(BigInt(Date.parse(`${text.replace(' ', 'T')}Z`)) * 1000n);
    minutes.set(text, value);
  }
  return value;
}

function uuidValue(text: string): DuckDBUUIDValue {
  return DuckDBUUIDValue.fromUint128(BigInt(`0x${text.replace(/-/g, '')}`));
}

function convert(type: ColumnType, value: CellValue): DuckDBValue {
  switch (type) {
    case 'date':
      return dayValue(value as string);
    case 'datetime':
      return timestampValue(value as string);
    case 'uuid':
      return uuidValue(value as string);
    case 'u64':
      return BigInt(Math.round(value as number));
    case 'u16[]':
      return listValue(value as readonly number[]);
    case 'u64[]':
      return listValue((value as readonly number[]).map((n) => BigInt(Math.round(n))));
    default:
      return value as DuckDBValue;
  }
}

/** Types whose conversion is worth skipping when a row repeats the row above (a report's rows share its ids and day). */
const REPEATING: ReadonlySet<ColumnType> = new Set(['date', 'datetime', 'uuid']);

/** One column of a chunk: a report's rows follow each other and share its ids, so a value like the one above is reused. */
function columnValues(type: ColumnType, rows: readonly Row[], index: number): DuckDBValue[] {
  const out = new Array<DuckDBValue>(rows.length);
  if (!REPEATING.has(type)) {
    for (let r = 0; r < rows.length; r++) out[r] = convert(type, (rows[r] as Row)[index] as CellValue);
    return out;
  }
  let last: CellValue | undefined;
  let lastValue: DuckDBValue = null;
  for (let r = 0; r < rows.length; r++) {
    const cell = (rows[r] as Row)[index] as CellValue;
    if (cell !== last) {
      last = cell;
      lastValue = convert(type, cell);
    }
    out[r] = lastValue;
  }
  return out;
}

export interface DuckDbStoreOptions {
  /** The database file, or ':memory:' (tests of the store alone). */
  path: string;
}

export class DuckDbStore implements Store {
  readonly kind = 'duckdb' as const;
  readonly where: string;
  private readonly writes = new Serial();
  private readonly reads = new Serial();
  private closed = false;
  /** Built at the first insert from the report_id column, then kept up to date by this (only) writer. */
  private ids: ReportIdFilter | null = null;
  /** One appender per table, made at the first insert and kept; dropped after any failure. */
  private appenders = new Map<TableName, DuckDBAppender>();
  /** The transaction opened ahead for the next write (BEGIN sent, maybe not answered yet), or null. */
  private ahead: Promise<void> | null = null;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    path: string,
  ) {
    this.where = path;
  }

  static async open(options: DuckDbStoreOptions): Promise<DuckDbStore> {
    const instance = await DuckDBInstance.create(options.path);
    const writer = await instance.connect();
    for (const name of TABLE_NAMES) {
      const columns = TABLES[name].columns.map((c) => `${c.name} ${SQL_TYPE[c.type]} NOT NULL`).join(', ');
      await writer.run(`CREATE TABLE IF NOT EXISTS ${name} (${columns})`);
    }
    const reader = await instance.connect();
    return new DuckDbStore(instance, writer, reader, options.path);
  }

  insert(items: readonly ReportItem[]): Promise<InsertOutcome> {
    return this.writes.run(() => this.guard('insert', () => this.insertNow(items)));
  }

  private async insertNow(items: readonly ReportItem[]): Promise<InsertOutcome> {
    const { fresh, duplicates } = splitRepeats(items);
    await this.openTransaction();
    let committed = false;
    try {
      const ids = await this.idFilter(fresh.size);
      const maybe = [...fresh.keys()].filter((id) => ids.mightHold(id));
      if (maybe.length > 0) {
        const found = await this.writer.runAndReadAll(
          `SELECT CAST(report_id AS VARCHAR) FROM reports WHERE report_id IN (${uuidLiterals(maybe)})`,
        );
        for (const [id] of found.getRows()) {
          fresh.delete(String(id));
          duplicates.push(String(id));
        }
      }
      for (const name of TABLE_NAMES) {
        const rows: Row[] = [];
        for (const item of fresh.values()) for (const row of item.rows[name]) rows.push(row);
        if (rows.length > 0) await this.append(name, rows);
      }
      await this.writer.run('COMMIT');
      committed = true;
      for (const id of fresh.keys()) ids.add(id);
    } finally {
      if (!committed) await this.abandon();
    }
    this.openAhead();
    return { stored: [...fresh.keys()], duplicates };
  }

  /** A transaction for the next write: the one opened ahead, else a new one. */
  private async openTransaction(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead !== null) {
      try {
        await ahead;
        return;
      } catch {
        // The BEGIN sent ahead failed: try once more now, and let that failure be the one reported.
      }
    }
    await this.writer.run('BEGIN TRANSACTION');
  }

  /** Opens the next write's transaction now, so the write does not wait for it. */
  private openAhead(): void {
    if (this.closed) return;
    const begun = this.writer.run('BEGIN TRANSACTION').then(() => undefined);
    begun.catch(() => undefined); // awaited (and reported) by the next write
    this.ahead = begun;
  }

  /** After a failed write: roll back what it wrote and start over with new appenders. */
  private async abandon(): Promise<void> {
    await this.writer.run('ROLLBACK').catch(() => undefined);
    this.dropAppenders();
  }

  /** Closes every kept appender: one that failed may refuse to close, and is dropped either way. */
  private dropAppenders(): void {
    for (const appender of this.appenders.values()) {
      try {
        appender.closeSync();
      } catch {
        // dropped either way
      }
    }
    this.appenders.clear();
  }

  /** Deletes the rows `where` selects from every table in one transaction; the number deleted. */
  private async deleteWhere(where: string): Promise<number> {
    let deleted = 0;
    await this.openTransaction();
    try {
      for (const name of TABLE_NAMES) {
        const result = await this.writer.run(`DELETE FROM ${name} WHERE ${where}`);
        deleted += Number(result.rowsChanged);
      }
      await this.writer.run('COMMIT');
    } catch (error) {
      await this.abandon();
      throw error;
    }
    return deleted;
  }

  /** The filter, (re)built from the stored ids when missing or past its planned size. */
  private async idFilter(incoming: number): Promise<ReportIdFilter> {
    if (this.ids !== null && !this.ids.full) return this.ids;
    const [[stored]] = (await this.writer.runAndReadAll('SELECT count(*) FROM reports')).getRows() as [[bigint]];
    const filter = new ReportIdFilter(2 * (Number(stored) + incoming) + 100_000);
    // The first 16 hex digits as two 32-bit numbers, computed by DuckDB: no million strings in JS.
    const halves = await this.writer.runAndReadAll(
      "SELECT CAST(('0x' || substr(t, 1, 8)) AS UINTEGER), CAST(('0x' || substr(t, 10, 4) || substr(t, 15, 4)) AS UINTEGER) " +
        'FROM (SELECT CAST(report_id AS VARCHAR) AS t FROM reports)',
    );
    const [a = [], b = []] = halves.getColumns() as number[][];
    for (let i = 0; i < a.length; i++) filter.addHalves(a[i] as number, b[i] as number);
    this.ids = filter;
    return filter;
  }

  /**
   * Column-wise chunks through DuckDB's appender (per-value appends cost ~10x more),
   * flushed into the open transaction. Each flush costs ~0.4 ms whatever its size,
   * which is why the batches matter.
   */
  private async append(name: TableName, rows: readonly Row[]): Promise<void> {
    const columns = TABLES[name].columns;
    const types = columns.map((c) => CHUNK_TYPE[c.type]);
    const appender = await this.appenderFor(name);
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      const slice = rows.slice(start, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, slice.length);
      chunk.setColumns(columns.map((column, i) => columnValues(column.type, slice, i)));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  }

  private async appenderFor(name: TableName): Promise<DuckDBAppender> {
    let appender = this.appenders.get(name);
    if (appender === undefined) {
      appender = await this.writer.createAppender(name);
      this.appenders.set(name, appender);
    }
    return appender;
  }

  deleteInstances(ids: readonly string[]): Promise<DeleteOutcome> {
    return this.writes.run(() =>
      this.guard('delete', async () => {
        const rowsDeleted = await this.deleteWhere(`instance_id IN (${uuidLiterals(ids)})`);
        return { rowsDeleted, remaining: await this.countRowsOn(this.writer, ids) };
      }),
    );
  }

  countRows(ids: readonly string[]): Promise<number> {
    return this.reads.run(() => this.guard('count', () => this.countRowsOn(this.reader, ids)));
  }

  private async countRowsOn(connection: DuckDBConnection, ids: readonly string[]): Promise<number> {
    const list = uuidLiterals(ids);
    const sql = TABLE_NAMES.map((name) => `SELECT count(*) AS n FROM ${name} WHERE instance_id IN (${list})`).join(' UNION ALL ');
    const result = await connection.runAndReadAll(`SELECT sum(n) FROM (${sql})`);
    return Number(result.getRows()[0]?.[0] ?? 0);
  }

  instanceReports(id: string): Promise<number> {
    return this.reads.run(() =>
      this.guard('count', async () => {
        const result = await this.reader.runAndReadAll(
          `SELECT count(DISTINCT report_id) FROM reports WHERE instance_id = ${uuidLiterals([id])}`,
        );
        return Number(result.getRows()[0]?.[0] ?? 0);
      }),
    );
  }

  aggregateInputs(window: AggregateWindow): Promise<AggregateInputs> {
    // One at a time on the read connection: the latest-ids temp table belongs to it.
    return this.reads.run(() =>
      this.guard('aggregate', async () => {
        const read = async <T>(query: Query): Promise<T[]> =>
          toObjects<T>(query, (await this.reader.runAndReadAll(query.sql)).getRows() as unknown[][]);
        for (const sql of duckdbLatestSql(window)) await this.reader.run(sql);
        const [totals] = await read<{ reports: number; instances: number }>(totalsQuery('duckdb', window));
        return {
          reports: totals?.reports ?? 0,
          instances: totals?.instances ?? 0,
          dims: await read(dimsQuery('duckdb', window)),
          timers: await read(timersQuery('duckdb', window)),
          buckets: await read(bucketsQuery('duckdb', window)),
          counters: await read(countersQuery('duckdb', window)),
          errors: await read(errorsQuery('duckdb', window)),
          errorVersions: await read(errorVersionsQuery('duckdb', window)),
        };
      }),
    );
  }

  removeBefore(day: string): Promise<number> {
    return this.writes.run(() => this.guard('retention', () => this.deleteWhere(`received_on < ${dayLiteral(day)}`)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.run(async () => undefined);
    await this.reads.run(async () => undefined);
    // The transaction opened ahead holds nothing: end it before the checkpoint.
    if (this.ahead !== null) {
      const ahead = this.ahead;
      this.ahead = null;
      if (
        await ahead.then(
          () => true,
          () => false,
        )
      )
        await this.writer.run('ROLLBACK').catch(() => undefined);
    }
    // Nothing is pending in them: every write flushed and committed or rolled back.
    this.dropAppenders();
    // A checkpoint folds the write-ahead log into the file, so the next start reads one file.
    await this.writer.run('CHECKPOINT').catch(() => undefined);
    this.reader.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }

  /** Any failure of the database becomes a StoreUnavailableError: the caller answers 503 and the agent retries. */
  private async guard<T>(what: string, task: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the store is closed (the collector is shutting down)', 5);
    try {
      return await task();
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`DuckDB ${what} failed: ${(error as Error).message}`, 30, { cause: error });
    }
  }
}
