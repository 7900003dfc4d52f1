// The collector's HTTP server in its own process (so the load generator does not share
// its event loop), on DuckDB in a temp dir or on a ClickHouse URL. Prints { port } on
// fd 3, runs until stdin closes, then prints { writes, reports } (the group commits).

import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { startCollectorServer } from '../dist/collector/server.js';
import { ClickHouseStore } from '../dist/collector/store/clickhouse.js';
import { DuckDbStore } from '../dist/collector/store/duckdb.js';

const [kind, where, database = 'bench'] = process.argv.slice(2);
const store =
  kind === 'clickhouse'
    ? new ClickHouseStore({ url: where, database, user: 'default', password: null, retentionDays: 365 })
    : await DuckDbStore.open({ path: join(where, 'collector.duckdb') });
if (store instanceof ClickHouseStore) await store.ensureReady();
let writes = 0;
let reports = 0;
const server = await startCollectorServer({
  store,
  host: '127.0.0.1',
  port: 0,
  adminToken: 'bench-admin-token-0123456789abcdef',
  minGroupSize: 5,
  limits: { maxBytes: 1024 * 1024, maxInflatedBytes: 8 * 1024 * 1024 },
  rateLimit: { globalPerS: 1_000_000, instancePerHour: 1_000_000 },
  batcher: { onWrite: (info) => ((writes += 1), (reports += info.reports)) },
});
writeSync(3, JSON.stringify({ port: server.port }) + '\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  await store.close();
  writeSync(3, JSON.stringify({ writes, reports }) + '\n');
  process.exit(0);
});
