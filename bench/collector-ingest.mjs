// Area: collector ingest. Reports per second through `candor collector` (HTTP POST of a
// gzip JSON report, body limits, schema validation of the published version with its
// anonymization check, mapping to rows, deduplication, group commit, 200 after the
// write), beside the floor measured in the same run: one bulk insert of the very same
// rows into a fresh store. DuckDB always; ClickHouse when clickhouse-server is installed.
// Also in the same run: the write path alone (the batcher into the store, at the batch
// size the server formed), node:http alone (no work: the ceiling of any Node service on
// this machine with this load generator), and the CPU each side used per report.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Batcher } from '../dist/collector/batcher.js';
import { reportRows } from '../dist/collector/rows.js';
import { ClickHouseStore } from '../dist/collector/store/clickhouse.js';
import { DuckDbStore } from '../dist/collector/store/duckdb.js';
import { openDuckDb } from '../dist/collector/store/duckdb-thread.js';
import { validateWireReport } from '../dist/collector/validate.js';
import { emitIfMain } from './child.mjs';
import { startClickHouse } from './collector-clickhouse.mjs';
import { machineTicks, processCpu, reportRequest, sendAll } from './collector-load.mjs';
import { fleetReports } from './fleet.mjs';
import { summary } from './stats.mjs';

const RUNS = 3;
const PER_RUN = 4000;
/** Sent before timing, to each fresh server: its JIT and the validation memo reach their steady state. */
const WARMUP = 2000;
/** Agents sending at the same moment: a fleet is many machines, each with its own connection. */
const CONCURRENCY = 128;
/** More agents at once, for what one collector takes when its event loop never waits (report only). */
const WIDE = 512;

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
    pid: child.pid,
    ready: next(),
    async stop() {
      child.stdin.end();
      return next();
    },
  };
}

/**
 * Warms a fresh server up, then posts every body of `set` with `connections` requests in
 * flight; reports/s and the CPU each side used per report while timed.
 */
async function ingest(args, warm, set, connections) {
  const server = startServer(args);
  const { port } = await server.ready;
  await sendAll(
    port,
    warm.map((r) => reportRequest(port, r.body)),
    connections,
  );
  const requests = set.map((r) => reportRequest(port, r.body));
  const cpu0 = processCpu(server.pid);
  const machine0 = machineTicks();
  const client0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await sendAll(port, requests, connections);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const client = process.cpuUsage(client0);
  const cpu1 = processCpu(server.pid);
  const machine1 = machineTicks();
  const stats = await server.stop();
  const perReport = (s) => (s * 1e6) / set.length;
  return {
    rate: set.length / seconds,
    batch: stats.writes > 0 ? stats.reports / stats.writes : null,
    serverUs: cpu0 && cpu1 ? perReport(cpu1.all - cpu0.all) : null,
    serverMainUs: cpu0 && cpu1 ? perReport(cpu1.main - cpu0.main) : null,
    serverThreads: cpu1?.threads ?? null,
    clientUs: (client.user + client.system) / set.length,
    machineBusy: machine0 && machine1 ? (machine1.busy - machine0.busy) / (machine1.total - machine0.total) : null,
  };
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

const collect = (results, key, x) => {
  for (const [name, value] of Object.entries(x)) if (value !== null) (results[key][name] ??= []).push(value);
};

export async function run() {
  const loadStart = os.loadavg();
  const warm = reportSet(9, WARMUP);
  const sets = Array.from({ length: RUNS }, (_, r) => reportSet(100 + r, PER_RUN));
  const rowsPerReport = sets[0].reduce((a, r) => a + Object.values(r.item.rows).reduce((b, rows) => b + rows.length, 0), 0) / PER_RUN;
  const bytesPerReport = sets[0].reduce((a, r) => a + r.body.length, 0) / PER_RUN;

  // What validation alone costs per report (parsed JSON in, verdict out), in this process, once warm.
  for (const r of warm) validateWireReport(r.payload);
  const validateUs = [];
  for (const set of sets) {
    const t0 = process.hrtime.bigint();
    for (const r of set) if (!validateWireReport(r.payload).ok) throw new Error('a generated report does not validate');
    validateUs.push(Number(process.hrtime.bigint() - t0) / 1e3 / set.length);
  }

  const results = { duckdb: { floor: [], path: [] }, duckdbWide: {}, bare: {}, clickhouse: { floor: [], path: [] } };
  for (const [r, set] of sets.entries()) {
    collect(results, 'bare', await ingest(['bare'], warm, set, CONCURRENCY));
    const dir = mkdtempSync(join(os.tmpdir(), 'candor-bench-collector-'));
    try {
      const run = await ingest(['duckdb', mkdtempSync(join(dir, 'ingest-'))], warm, set, CONCURRENCY);
      collect(results, 'duckdb', run);
      collect(results, 'duckdbWide', await ingest(['duckdb', mkdtempSync(join(dir, 'wide-'))], warm, set, WIDE));
      // The floor: the rows straight into DuckDB in this thread, one transaction.
      const store = await DuckDbStore.open({ path: join(dir, `floor-${r}.duckdb`) });
      results.duckdb.floor.push(await floor(store, set));
      await store.close();
      // The write path as the collector has it: its store (on the worker thread) behind the batcher.
      const pathStore = await openDuckDb({ path: join(dir, `path-${r}.duckdb`) });
      results.duckdb.path.push(await writePath(pathStore, set, run.batch));
      await pathStore.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const clickhouse = await startClickHouse();
  if (clickhouse !== null) {
    try {
      for (const [r, set] of sets.entries()) {
        const run = await ingest(['clickhouse', clickhouse.url, `ingest_${r}`], warm, set, CONCURRENCY);
        collect(results, 'clickhouse', run);
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
        results.clickhouse.path.push(await writePath(pathStore, set, run.batch));
        await pathStore.close();
      }
    } finally {
      await clickhouse.stop();
    }
  }
  const m = {};
  const bars = [];
  const cores = os.availableParallelism();
  const bare = summary(results.bare.rate).median;
  m['collector.http.bare'] = {
    area: 'node:http alone, reports/s',
    impl: `bare node:http server: reads each body, answers the same 200, no work (${CONCURRENCY} connections)`,
    unit: 'reports/s',
    ...summary(results.bare.rate),
  };
  for (const kind of clickhouse === null ? ['duckdb'] : ['duckdb', 'clickhouse']) {
    const name = kind === 'duckdb' ? 'DuckDB' : 'ClickHouse 18.16';
    const x = results[kind];
    m[`collector.ingest.${kind}`] = {
      area: `ingest into ${name}, reports/s`,
      impl: `Candor collector: POST /v1/reports, ${CONCURRENCY} connections`,
      unit: 'reports/s',
      ...summary(x.rate),
    };
    if (kind === 'duckdb')
      m['collector.ingest.duckdb.wide'] = {
        area: `ingest into ${name}, reports/s`,
        impl: `Candor collector: POST /v1/reports, ${WIDE} connections`,
        unit: 'reports/s',
        ...summary(results.duckdbWide.rate),
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
      impl: `Candor collector, ${CONCURRENCY} connections (warm-up included)`,
      unit: 'reports',
      ...summary(x.batch),
    };
    if (x.serverUs) {
      m[`collector.cpu.${kind}.server`] = {
        area: `CPU per report while ingesting into ${name}`,
        impl:
          kind === 'duckdb'
            ? "collector process, all threads (event loop, the store's thread, DuckDB's and V8's threads)"
            : "collector process, all threads (event loop, V8's threads; clickhouse-server not counted)",
        unit: 'µs',
        ...summary(x.serverUs),
      };
      m[`collector.cpu.${kind}.main`] = {
        area: `CPU per report while ingesting into ${name}`,
        impl:
          kind === 'duckdb'
            ? "collector's event loop (HTTP, gunzip, JSON, validation, rows)"
            : "collector's event loop (HTTP, gunzip, JSON, validation, rows, the INSERTs' text and requests)",
        unit: 'µs',
        ...summary(x.serverMainUs),
      };
    }
    m[`collector.cpu.${kind}.client`] = {
      area: `CPU per report while ingesting into ${name}`,
      impl: 'load generator process',
      unit: 'µs',
      ...summary(x.clientUs),
    };
    const ingestRate = summary(x.rate).median;
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
    if (kind === 'duckdb')
      bars.push({
        bar: `node:http alone, no work, on this machine with this load generator: vs the DuckDB bulk insert (no bar set)`,
        candor: bare,
        reference: floorRate,
        ratio: bare / floorRate,
        limit: 'report only',
        met: null,
      });
    bars.push({
      bar: `ingest into ${name}: vs node:http alone (no bar set)`,
      candor: ingestRate,
      reference: bare,
      ratio: ingestRate / bare,
      limit: 'report only',
      met: null,
    });
  }
  m['collector.validate'] = {
    area: 'validation of one report (schema v2 + anonymization check)',
    impl: 'main/report/published.ts validateWireReport, warm',
    unit: 'µs',
    ...summary(validateUs),
  };
  const busy = [...(results.duckdb.machineBusy ?? []), ...(results.clickhouse.machineBusy ?? [])];
  return {
    area: 'collector ingest',
    measurements: m,
    bars,
    notes: {
      reportsPerRun: PER_RUN,
      warmup: WARMUP,
      concurrency: CONCURRENCY,
      wideConcurrency: WIDE,
      cores: `${cores} logical cores, shared by the collector process (event loop, its DuckDB thread, DuckDB's and V8's threads), the load generator and clickhouse-server when it runs`,
      serverThreads: results.duckdb.serverThreads?.[0] ?? null,
      machineBusyWhileTimed:
        busy.length > 0 ? `${Math.round(Math.min(...busy) * 100)}–${Math.round(Math.max(...busy) * 100)}% of all cores` : null,
      loadavgAtStart: loadStart.map((v) => Number(v.toFixed(2))),
      loadavgAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))),
      rowsPerReport,
      gzipBytesPerReport: bytesPerReport,
      clickhouse: clickhouse === null ? 'not installed: skipped' : 'clickhouse-server 18.16 on loopback',
    },
  };
}

await emitIfMain(import.meta.url, run);
