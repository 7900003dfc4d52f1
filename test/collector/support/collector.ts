import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollectorServer, type CollectorServer, type CollectorServerOptions } from '../../../collector/server.js';
import { DuckDbStore } from '../../../collector/store/duckdb.js';
import type { Store } from '../../../collector/store/store.js';

// A collector in this process on 127.0.0.1 with a real DuckDB file in a temp dir.

export const TEST_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestCollector {
  server: CollectorServer;
  store: Store;
  url: string;
  dir: string;
  close(): Promise<void>;
}

export async function startTestCollector(
  overrides: Partial<Omit<CollectorServerOptions, 'store'>> & { store?: Store } = {},
): Promise<TestCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'candor-collector-test-'));
  const store = overrides.store ?? (await DuckDbStore.open({ path: join(dir, 'collector.duckdb') }));
  const server = await startCollectorServer({
    host: '127.0.0.1',
    port: 0,
    adminToken: TEST_TOKEN,
    minGroupSize: 2,
    limits: { maxBytes: 1024 * 1024, maxInflatedBytes: 8 * 1024 * 1024 },
    rateLimit: { globalPerS: 10_000, instancePerHour: 10_000 },
    ...overrides,
    store,
  });
  return {
    server,
    store,
    url: server.url,
    dir,
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
