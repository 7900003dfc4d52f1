// Area: collector queries. 1,000,000 reports from the realistic fleet generator
// (bench/fleet.mjs: schema v2 with histograms, apps' sources and errors; a year of
// arrivals) go into a DuckDB file through the collector's own mapping and store; then
// the admin API is timed over HTTP as the dashboard calls it: GET /v1/aggregates for
// everything retained and for the last 30 days, the CSV export, an instance lookup,
// and a deletion request with its check. Goal: the aggregates answer in under 1 s.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { reportRows } from '../dist/collector/rows.js';
import { startCollectorServer } from '../dist/collector/server.js';
import { DuckDbStore } from '../dist/collector/store/duckdb.js';
import { openDuckDb } from '../dist/collector/store/duckdb-thread.js';
import { emitIfMain } from './child.mjs';
import { fleetReports } from './fleet.mjs';
import { summary } from './stats.mjs';

const REPORTS = Number(process.env.CANDOR_BENCH_COLLECTOR_REPORTS ?? 1_000_000);
const BATCH = 20_000;
const RUNS = 5;
const TOKEN = 'bench-admin-token-0123456789abcdef';

function request(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const headers = { Authorization: `Bearer ${TOKEN}` };
    if (body) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
        else resolve({ ms, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function timed(runs, call) {
  await call(); // warm-up: the first query after a load reads the file's columns in
  const ms = [];
  for (let i = 0; i < runs; i++) ms.push((await call()).ms);
  return ms;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'candor-bench-collector-queries-'));
  const now = new Date();
  try {
    const file = join(dir, 'collector.duckdb');
    let store = await DuckDbStore.open({ path: file });
    const ids = [];
    let rows = 0;
    let batch = [];
    const t0 = process.hrtime.bigint();
    for (const { payload, receivedOn } of fleetReports({ seed: 2026, reports: REPORTS, version: 2, sources: true, now, days: 365 })) {
      const item = reportRows(payload, 2, { receivedOn, bodyDigest: '' });
      for (const list of Object.values(item.rows)) rows += list.length;
      if (ids.length === 0 || ids[ids.length - 1] !== item.instanceId) ids.push(item.instanceId);
      batch.push(item);
      if (batch.length === BATCH) {
        await store.insert(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await store.insert(batch);
    const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // Closed (which checkpoints the write-ahead log into the file) and opened again, as
    // after a restart: no checkpoint of the load runs under the timed queries. Opened as
    // `candor collector` opens it: on its worker thread.
    await store.close();
    store = await openDuckDb({ path: file });

    const server = await startCollectorServer({
      store,
      host: '127.0.0.1',
      port: 0,
      adminToken: TOKEN,
      minGroupSize: 5,
      limits: { maxBytes: 1024 * 1024, maxInflatedBytes: 8 * 1024 * 1024 },
      rateLimit: { globalPerS: 1_000_000, instancePerHour: 1_000_000 },
      dashboardDir: null,
    });
    const port = server.port;
    const all = await request(port, 'GET', '/v1/aggregates');
    const aggregates = JSON.parse(all.text);
    if (aggregates.reports !== REPORTS) throw new Error(`the store holds ${aggregates.reports} reports, not ${REPORTS}`);

    const m = {};
    const measure = (id, what, impl, ms) => (m[id] = { area: what, impl, unit: 'ms', ...summary(ms) });
    measure(
      'collector.aggregates.all',
      `GET /v1/aggregates, ${REPORTS.toLocaleString('en-US')} reports`,
      'Candor collector on DuckDB',
      await timed(RUNS, () => request(port, 'GET', '/v1/aggregates')),
    );
    measure(
      'collector.aggregates.30d',
      'GET /v1/aggregates?days=30',
      'Candor collector on DuckDB',
      await timed(RUNS, () => request(port, 'GET', '/v1/aggregates?days=30')),
    );
    measure(
      'collector.aggregates.csv',
      'GET /v1/aggregates.csv',
      'Candor collector on DuckDB',
      await timed(3, () => request(port, 'GET', '/v1/aggregates.csv')),
    );
    measure(
      'collector.instance',
      'GET /v1/instances/{id}',
      'Candor collector on DuckDB',
      await timed(RUNS, () => request(port, 'GET', `/v1/instances/${ids[Math.floor(Math.random() * ids.length)]}`)),
    );
    // Deletion of 10 instances per request, then counted again (new ids each time).
    let next = 0;
    measure(
      'collector.deletion',
      'POST /v1/deletion-requests, 10 ids, verified',
      'Candor collector on DuckDB',
      await timed(3, () => {
        const body = gzipSync(
          JSON.stringify({ type: 'deletion-request', ids: ids.slice(next, (next += 10)), requested_at: new Date().toISOString() }),
        );
        return request(port, 'POST', '/v1/deletion-requests', body);
      }),
    );
    m['collector.load'] = {
      area: `bulk load of ${REPORTS.toLocaleString('en-US')} generated reports (generate, map, insert)`,
      impl: 'bench/fleet.mjs + collector/rows.ts + DuckDbStore.insert, 20,000 per write',
      unit: 'reports/s',
      ...summary([REPORTS / loadSeconds]),
    };
    await server.close();
    await store.close();
    const median = m['collector.aggregates.all'].median;
    return {
      area: 'collector queries',
      measurements: m,
      bars: [
        {
          bar: `GET /v1/aggregates over ${REPORTS.toLocaleString('en-US')} reports on DuckDB: < 1 s`,
          candor: median,
          reference: 1000,
          ratio: median / 1000,
          limit: '< 1000 ms',
          met: median < 1000,
        },
      ],
      notes: {
        reports: REPORTS,
        instances: aggregates.instances,
        rows,
        fileBytes: statSync(file).size,
        timersShown: aggregates.timers.length,
        sourcesShown: aggregates.sources.length,
        errorGroupsShown: aggregates.errors.length,
        suppressedCells: aggregates.suppressed,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await emitIfMain(import.meta.url, run);
