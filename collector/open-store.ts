import { join } from 'node:path';
import type { CollectorConfig } from '../main/control/config-schema.js';
import { ClickHouseStore } from './store/clickhouse.js';
import type { Store } from './store/store.js';

export const DUCKDB_FILE = 'collector.duckdb';

/** ClickHouse when a URL is configured, else the DuckDB file in the collector's dir. */
export async function openStore(config: CollectorConfig, dir: string): Promise<Store> {
  const ch = config.clickhouse;
  if (ch.url !== null) {
    return new ClickHouseStore({
      url: ch.url,
      database: ch.database,
      user: ch.user,
      password: ch.password,
      retentionDays: config.retention_days,
    });
  }
  // Loaded only here: a collector on ClickHouse never loads DuckDB's native module.
  const { openDuckDb } = await import('./store/duckdb-thread.js');
  return openDuckDb({ path: join(dir, DUCKDB_FILE) });
}
