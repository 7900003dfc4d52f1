// Area: collector ingest. Reports per second through `candor collector` (HTTP POST of a
// gzip JSON report, body limits, schema validation of the published version with its
// anonymization check, mapping to rows, deduplication, group commit, 200 after the
// write), beside the floor measured in the same run: one bulk insert of the very same
// rows into a fresh store. DuckDB always; ClickHouse when clickhouse-server is installed.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Batcher } from '../dist/collector/batcher.js';
import { reportRows } from '../dist/collector/rows.js';
import { ClickHouseStore } from '../dist/collector/store/clickhouse.js';
import { DuckDbStore } from '../dist/collector/store/duckdb.js';
import { validateWireReport } from '../dist/collector/validate.js';
import { emitIfMain } from './child.mjs';
import { startClickHouse } from './collector-clickhouse.mjs';
import { fleetReports } from './fleet.mjs';
import { summary } from './stats.mjs';

const RUNS = 3;
const PER_RUN = 2000;
const WARMUP = 400;
/** Agents sending at the same moment: a fleet is many machines, each with its own connection. */
const CONCURRENCY = 128;

function reportSet(seed, count) {
  const out = [];
  const today = new Date().toISOString().slice(0, 10);
  for (const { payload } of fleetReports({ seed, reports: count, version: 2, sources: true })) {
    const json = Buffer.from(JSON.stringify(payload));
    // The rows the collector makes of it on arrival today: what the floor inserts.
    const item = reportRows(payload, 2, { receivedOn: today, bodyDigest: createHash('sha256').update(json).digest('hex') });
    out.push({ payload, body: gzipSync(json), item });
  }
  return out;
}

function startServer(args) {
  const script = new URL('./collector-server.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  const lines = [];
  let buffer = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const waiters = [];
  child.stdio[3].on('data', (d) => {
    buffer += d;
    let at;
    while ((at = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, at)));
      buffer = buffer.slice(at + 1);
      waiters.shift()?.();
    }
  });
  const next = () =>
    new Promise((resolve, reject) => {
      if (lines.length > 0) return resolve(lines.shift());
      waiters.push(() => resolve(lines.shift()));
      child.once('exit', (code) => reject(new Error(`collector server exited ${code}: ${err.slice(-1500)}`)));
    });
  return {
    ready: next(),
    async stop() {
      child.stdin.end();
      return next();
    },
  };
}

/** Posts every body with CONCURRENCY requests in flight on kept-alive connections; reports/s. */
async function ingest(port, set) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/reports',
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < set.length) await post(set[next++].body);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return set.length / seconds;
}

/** The write path alone: the same rows through the batcher, in group commits of `batch` reports. */
async function writePath(store, set, batch) {
  const batcher = new Batcher({ store, maxBatch: Math.max(1, Math.round(batch)), lingerMs: 0 });
  const t0 = process.hrtime.bigint();
  await Promise.all(set.map((r) => batcher.submit(r.item)));
  return set.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function floor(store, set) {
  const t0 = process.hrtime.bigint();
  const outcome = await store.insert(set.map((r) => r.item));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (outcome.stored.length !== set.length) throw new Error(`floor stored ${outcome.stored.length} of ${set.length}`);
  return set.length / seconds;
}

export async function run() {
  const warm = reportSet(9, WARMUP);
  const sets = Array.from({ length: RUNS }, (_, r) => reportSet(100 + r, PER_RUN));
  const rowsPerReport = sets[0].reduce((a, r) => a + Object.values(r.item.rows).reduce((b, rows) => b + rows.length, 0), 0) / PER_RUN;
  const bytesPerReport = sets[0].reduce((a, r) => a + r.body.length, 0) / PER_RUN;

  // What validation alone costs per report (parsed JSON in, verdict out), in this process.
  const validateUs = [];
  for (const set of sets) {
    const t0 = process.hrtime.bigint();
    for (const r of set) if (!validateWireReport(r.payload).ok) throw new Error('a generated report does not validate');
    validateUs.push(Number(process.hrtime.bigint() - t0) / 1e3 / set.length);
  }

  const results = { duckdb: { ingest: [], floor: [], batch: [], path: [] }, clickhouse: { ingest: [], floor: [], batch: [], path: [] } };
  for (const [r, set] of sets.entries()) {
    const dir = mkdtempSync(join(tmpdir(), 'candor-bench-collector-'));
    try {
      const server = startServer(['duckdb', dir]);
      const { port } = await server.ready;
      await ingest(port, warm);
      results.duckdb.ingest.push(await ingest(port, set));
      const stats = await server.stop();
      results.duckdb.batch.push(stats.reports / stats.writes);
      const store = await DuckDbStore.open({ path: join(dir, `floor-${r}.duckdb`) });
      results.duckdb.floor.push(await floor(store, set));
      await store.close();
      const pathStore = await DuckDbStore.open({ path: join(dir, `path-${r}.duckdb`) });
      results.duckdb.path.push(await writePath(pathStore, set, stats.reports / stats.writes));
      await pathStore.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const clickhouse = await startClickHouse();
  if (clickhouse !== null) {
    try {
      for (const [r, set] of sets.entries()) {
        const server = startServer(['clickhouse', clickhouse.url, `ingest_${r}`]);
        const { port } = await server.ready;
        await ingest(port, warm);
        results.clickhouse.ingest.push(await ingest(port, set));
        const stats = await server.stop();
        results.clickhouse.batch.push(stats.reports / stats.writes);
        const store = new ClickHouseStore({
          url: clickhouse.url,
          database: `floor_${r}`,
          user: 'default',
          password: null,
          retentionDays: 365,
        });
        await store.ensureReady();
        results.clickhouse.floor.push(await floor(store, set));
        await store.close();
        const pathStore = new ClickHouseStore({
          url: clickhouse.url,
          database: `path_${r}`,
          user: 'default',
          password: null,
          retentionDays: 365,
        });
        await pathStore.ensureReady();
        results.clickhouse.path.push(await writePath(pathStore, set, stats.reports / stats.writes));
        await pathStore.close();
      }
    } finally {
      await clickhouse.stop();
    }
  }

  const m = {};
  const bars = [];
  for (const kind of clickhouse === null ? ['duckdb'] : ['duckdb', 'clickhouse']) {
    const name = kind === 'duckdb' ? 'DuckDB' : 'ClickHouse 18.16';
    const x = results[kind];
    m[`collector.ingest.${kind}`] = {
      area: `ingest into ${name}, reports/s`,
      impl: `Candor collector: POST /v1/reports, ${CONCURRENCY} connections`,
      unit: 'reports/s',
      ...summary(x.ingest),
    };
    m[`collector.floor.${kind}`] = {
      area: `ingest into ${name}, reports/s`,
      impl: 'floor: one bulk insert of the same rows',
      unit: 'reports/s',
      ...summary(x.floor),
    };
    m[`collector.path.${kind}`] = {
      area: `ingest into ${name}, reports/s`,
      impl: 'write path alone: the same rows through the batcher, in commits of the size the server formed',
      unit: 'reports/s',
      ...summary(x.path),
    };
    m[`collector.batch.${kind}`] = {
      area: `reports per group commit, ${name}`,
      impl: 'Candor collector (warm-up included)',
      unit: 'reports',
      ...summary(x.batch),
    };
    const ingestRate = summary(x.ingest).median;
    const floorRate = summary(x.floor).median;
    bars.push({
      bar: `ingest into ${name}: >= 0.5x a bulk insert of the same rows`,
      candor: ingestRate,
      reference: floorRate,
      ratio: ingestRate / floorRate,
      limit: '>= 0.5x',
      met: ingestRate / floorRate >= 0.5,
    });
    const pathRate = summary(x.path).median;
    bars.push({
      bar: `${name} write path (group commits as formed, no HTTP or validation): vs the same bulk insert (no bar set)`,
      candor: pathRate,
      reference: floorRate,
      ratio: pathRate / floorRate,
      limit: 'report only',
      met: null,
    });
  }
  m['collector.validate'] = {
    area: 'validation of one report (schema v2 + anonymization check)',
    impl: 'main/report/published.ts validateWireReport',
    unit: 'µs',
    ...summary(validateUs),
  };
  return {
    area: 'collector ingest',
    measurements: m,
    bars,
    notes: {
      reportsPerRun: PER_RUN,
      warmup: WARMUP,
      concurrency: CONCURRENCY,
      rowsPerReport,
      gzipBytesPerReport: bytesPerReport,
      clickhouse: clickhouse === null ? 'not installed: skipped' : 'clickhouse-server 18.16 on loopback',
    },
  };
}

await emitIfMain(import.meta.url, run);
