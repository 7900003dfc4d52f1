// The collector's HTTP server in its own process (so the load generator does not share
// its event loop), on DuckDB in a temp dir (on its worker thread, as `candor collector`
// opens it) or on a ClickHouse URL; or `bare`: node:http reading each body and answering
// the collector's 200 with no work at all, the ceiling any Node HTTP service has here.
// Prints { port } on fd 3, runs until stdin closes, then prints { writes, reports }
// (the group commits).

import { writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startCollectorServer } from '../dist/collector/server.js';
import { ClickHouseStore } from '../dist/collector/store/clickhouse.js';
import { openDuckDb } from '../dist/collector/store/duckdb-thread.js';

const [kind, where, database = 'bench'] = process.argv.slice(2);

function bare() {
  const body = JSON.stringify({ report_id: '00000000-0000-4000-8000-000000000000', stored: true });
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: async () => server.close() })),
  );
}

let writes = 0;
let reports = 0;
let store = null;
let server;
if (kind === 'bare') server = await bare();
else {
  store =
    kind === 'clickhouse'
      ? new ClickHouseStore({ url: where, database, user: 'default', password: null, retentionDays: 365 })
      : await openDuckDb({ path: join(where, 'collector.duckdb') });
  if (store instanceof ClickHouseStore) await store.ensureReady();
  server = await startCollectorServer({
    store,
    host: '127.0.0.1',
    port: 0,
    adminToken: 'bench-admin-token-0123456789abcdef',
    minGroupSize: 5,
    limits: { maxBytes: 1024 * 1024, maxInflatedBytes: 8 * 1024 * 1024 },
    rateLimit: { globalPerS: 1_000_000, instancePerHour: 1_000_000 },
    batcher: { onWrite: (info) => ((writes += 1), (reports += info.reports)) },
  });
}
writeSync(3, JSON.stringify({ port: server.port }) + '\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  await store?.close();
  writeSync(3, JSON.stringify({ writes, reports }) + '\n');
  process.exit(0);
});
