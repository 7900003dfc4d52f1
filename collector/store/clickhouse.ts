import { log } from '../../main/util/log.js';
import {
  bucketsQuery,
  countersQuery,
  dimsQuery,
  errorVersionsQuery,
  errorsQuery,
  timersQuery,
  toObjects,
  totalsQuery,
  type Query,
} from './aggregate-sql.js';
import { ClickHouseHttp, ClickHouseQueryError, tsvString, type ClickHouseOptions } from './clickhouse-http.js';
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
import { TABLE_NAMES, TABLES, type CellValue, type ColumnType, type Row, type TableName } from './tables.js';

// ClickHouse for fleets that outgrow one machine. The collector holds no state of its
// own: the tables are created if missing by whichever collector starts first, every
// check (duplicates, deletion, counts) asks the server, so several collectors can run
// behind a load balancer against one server or cluster.
//
// - MergeTree tables partitioned by month of arrival, ordered for the aggregate
//   group-bys (and by instance_id, which deletion and duplicate checks look up).
// - Retention: servers from 19.6 on get a TTL on each table; every server also gets the
//   sweep (removeBefore), which drops whole months and deletes the days of the boundary
//   month: Debian's 18.16 has no TTL.
// - Deletion is ALTER TABLE ... DELETE, a mutation that runs in the background: it is
//   waited for (system.mutations) and the rows counted again before a receipt goes out.

const CH_TYPE: Record<ColumnType, string> = {
  date: 'Date',
  datetime: 'DateTime',
  uuid: 'UUID',
  string: 'String',
  u8: 'UInt8',
  u16: 'UInt16',
  u32: 'UInt32',
  u64: 'UInt64',
  f64: 'Float64',
  'u16[]': 'Array(UInt16)',
  'u64[]': 'Array(UInt64)',
};

/** TTL in table definitions arrived in ClickHouse 19.6. */
export function supportsTtl(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number(part));
  return major > 19 || (major === 19 && minor >= 6);
}

export function createTableSql(name: TableName, options: { retentionDays: number; serverVersion: string }): string {
  const table = TABLES[name];
  const columns = table.columns.map((c) => `${c.name} ${CH_TYPE[c.type]}`).join(', ');
  const ttl = supportsTtl(options.serverVersion) ? ` TTL received_on + INTERVAL ${Math.trunc(options.retentionDays)} DAY` : '';
  return (
    `CREATE TABLE IF NOT EXISTS ${name} (${columns}) ENGINE = MergeTree ` +
    `PARTITION BY toYYYYMM(received_on) ORDER BY (${table.orderBy.join(', ')})${ttl}`
  );
}

function tsvCell(type: ColumnType, value: CellValue): string {
  switch (type) {
    case 'string':
      return tsvString(value as string);
    case 'u16[]':
    case 'u64[]':
      return `[${(value as readonly number[]).map((n) => Math.round(n)).join(',')}]`;
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64':
      return String(Math.round(value as number));
    default:
      return String(value);
  }
}

export interface ClickHouseStoreOptions extends ClickHouseOptions {
  retentionDays: number;
  /** How long a deletion waits for its mutations (default 5 minutes). */
  mutationTimeoutMs?: number;
}

export class ClickHouseStore implements Store {
  readonly kind = 'clickhouse' as const;
  private readonly http: ClickHouseHttp;
  private ready: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: ClickHouseStoreOptions) {
    this.http = new ClickHouseHttp(options);
  }

  get where(): string {
    return this.http.where;
  }

  /** Creates the database and tables if missing; retried on the next call when the server is down. */
  ensureReady(): Promise<void> {
    this.ready ??= this.createSchema().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  private async createSchema(): Promise<void> {
    await this.http.exec(`CREATE DATABASE IF NOT EXISTS ${this.options.database}`, false);
    const [[version]] = (await this.http.rows('SELECT version()')) as [[string]];
    for (const name of TABLE_NAMES) {
      await this.http.exec(createTableSql(name, { retentionDays: this.options.retentionDays, serverVersion: String(version) }));
    }
  }

  insert(items: readonly ReportItem[]): Promise<InsertOutcome> {
    return this.guard('insert', async () => {
      const { fresh, duplicates } = splitRepeats(items);
      if (fresh.size > 0) {
        // instance_id leads the ORDER BY: the lookup reads only those instances' granules.
        const instances = uuidLiterals([...new Set([...fresh.values()].map((item) => item.instanceId))]);
        const found = await this.http.rows(
          `SELECT DISTINCT toString(report_id) FROM reports WHERE instance_id IN (${instances}) AND report_id IN (${uuidLiterals([...fresh.keys()])})`,
        );
        for (const [id] of found) {
          fresh.delete(String(id));
          duplicates.push(String(id));
        }
      }
      if (fresh.size === 0) return { stored: [], duplicates };
      // Child rows first, `reports` last: a report counts as stored once its reports row
      // exists, and child rows left by a failed attempt are made harmless by the queries.
      const children = TABLE_NAMES.filter((name) => name !== 'reports');
      const stored = [...fresh.values()];
      await Promise.all(
        children.map((name) =>
          this.insertRows(
            name,
            stored.flatMap((item) => item.rows[name]),
          ),
        ),
      );
      await this.insertRows(
        'reports',
        stored.flatMap((item) => item.rows.reports),
      );
      return { stored: [...fresh.keys()], duplicates };
    });
  }

  private async insertRows(name: TableName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = TABLES[name].columns;
    const lines = rows.map((row) => columns.map((column, i) => tsvCell(column.type, row[i] as CellValue)).join('\t'));
    await this.http.insertTsv(
      name,
      columns.map((c) => c.name),
      `${lines.join('\n')}\n`,
    );
  }

  deleteInstances(ids: readonly string[]): Promise<DeleteOutcome> {
    return this.guard('delete', async () => {
      const list = uuidLiterals(ids);
      let rowsDeleted = 0;
      // Rows arriving while a mutation runs are not part of it: go again until none is left.
      for (let round = 0; round < 3; round++) {
        const counts = await this.countPerTable(`instance_id IN (${list})`);
        const tables = TABLE_NAMES.filter((name) => (counts.get(name) ?? 0) > 0);
        if (tables.length === 0) return { rowsDeleted, remaining: 0 };
        // A mutation rewrites the parts it touches: only tables that hold these ids get one.
        for (const name of tables) await this.http.exec(`ALTER TABLE ${name} DELETE WHERE instance_id IN (${list})`);
        await this.waitForMutations();
        const after = await this.countPerTable(`instance_id IN (${list})`);
        for (const name of tables) rowsDeleted += (counts.get(name) ?? 0) - Math.min(counts.get(name) ?? 0, after.get(name) ?? 0);
      }
      return { rowsDeleted, remaining: await this.countRowsNow(ids) };
    });
  }

  private async countPerTable(where: string): Promise<Map<TableName, number>> {
    const sql = TABLE_NAMES.map((name) => `SELECT '${name}' AS t, count() AS n FROM ${name} WHERE ${where}`).join(' UNION ALL ');
    const rows = await this.http.rows(sql);
    return new Map(rows.map(([table, n]) => [table as TableName, Number(n)]));
  }

  private async waitForMutations(): Promise<void> {
    const deadline = Date.now() + (this.options.mutationTimeoutMs ?? 300_000);
    let delay = 20;
    for (;;) {
      const [[pending]] = (await this.http.rows(
        `SELECT count() FROM system.mutations WHERE database = '${this.options.database}' AND is_done = 0`,
      )) as [[number]];
      if (Number(pending) === 0) return;
      if (Date.now() > deadline) throw new StoreUnavailableError(`ClickHouse: ${pending} mutation(s) still running after the deadline`, 60);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 500);
    }
  }

  countRows(ids: readonly string[]): Promise<number> {
    return this.guard('count', () => this.countRowsNow(ids));
  }

  private async countRowsNow(ids: readonly string[]): Promise<number> {
    const counts = await this.countPerTable(`instance_id IN (${uuidLiterals(ids)})`);
    return [...counts.values()].reduce((a, b) => a + b, 0);
  }

  instanceReports(id: string): Promise<number> {
    return this.guard('count', async () => {
      const rows = await this.http.rows(`SELECT uniqExact(report_id) FROM reports WHERE instance_id = ${uuidLiterals([id])}`);
      return Number(rows[0]?.[0] ?? 0);
    });
  }

  aggregateInputs(window: AggregateWindow): Promise<AggregateInputs> {
    return this.guard('aggregate', async () => {
      const read = async <T>(query: Query): Promise<T[]> => toObjects<T>(query, await this.http.rows(query.sql));
      const [[totals], dims, timers, buckets, counters, errors, errorVersions] = await Promise.all([
        read<{ reports: number; instances: number }>(totalsQuery('clickhouse', window)),
        read<AggregateInputs['dims'][number]>(dimsQuery('clickhouse', window)),
        read<AggregateInputs['timers'][number]>(timersQuery('clickhouse', window)),
        read<AggregateInputs['buckets'][number]>(bucketsQuery('clickhouse', window)),
        read<AggregateInputs['counters'][number]>(countersQuery('clickhouse', window)),
        read<AggregateInputs['errors'][number]>(errorsQuery('clickhouse', window)),
        read<AggregateInputs['errorVersions'][number]>(errorVersionsQuery('clickhouse', window)),
      ]);
      return { reports: totals?.reports ?? 0, instances: totals?.instances ?? 0, dims, timers, buckets, counters, errors, errorVersions };
    });
  }

  removeBefore(day: string): Promise<number> {
    return this.guard('retention', async () => {
      const where = `received_on < ${dayLiteral(day)}`;
      const counts = await this.countPerTable(where);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      if (total === 0) return 0;
      const cutoffMonth = day.slice(0, 7).replace('-', '');
      let mutated = false;
      for (const name of TABLE_NAMES) {
        if ((counts.get(name) ?? 0) === 0) continue;
        const partitions = await this.http.rows(
          `SELECT DISTINCT partition FROM system.parts WHERE database = '${this.options.database}' AND table = '${name}' AND active`,
        );
        // Whole months before the cutoff go at once; the boundary month loses its old days by mutation.
        for (const [partition] of partitions) {
          if (/^\d{6}$/.test(String(partition)) && String(partition) < cutoffMonth)
            await this.http.exec(`ALTER TABLE ${name} DROP PARTITION ${String(partition)}`);
        }
        const [[left]] = (await this.http.rows(`SELECT count() FROM ${name} WHERE ${where}`)) as [[number]];
        if (Number(left) > 0) {
          await this.http.exec(`ALTER TABLE ${name} DELETE WHERE ${where}`);
          mutated = true;
        }
      }
      if (mutated) await this.waitForMutations();
      return total;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.http.close();
  }

  private async guard<T>(what: string, task: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the store is closed (the collector is shutting down)', 5);
    try {
      await this.ensureReady();
      return await task();
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      // A refused statement is a fault of this version or of the server's state; the
      // agent keeps the report and retries, and the log says what ClickHouse said.
      if (error instanceof ClickHouseQueryError) log.error(`collector: ClickHouse ${what}: ${error.message}`);
      throw new StoreUnavailableError(`ClickHouse ${what} failed: ${(error as Error).message}`, 30, { cause: error });
    }
  }
}
