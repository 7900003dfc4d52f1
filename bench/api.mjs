// Area 5: the local API under a bounded load over loopback (autocannon: 10
// connections, 4 s per run, 3 runs per route after a 2 s warm-up):
// GET /telemetry?details_level=4&anonymize=true against GET /metrics.

import { spawn } from 'node:child_process';
import http from 'node:http';
import autocannon from 'autocannon';
import { emitIfMain } from './child.mjs';
import { percentile, summary } from './stats.mjs';
import { makeTmpHome } from './tmp-home.mjs';

const CONNECTIONS = 10;
const DURATION_S = 4;
const WARMUP_S = 2;
const RUNS = 3;
const SERIAL_REQUESTS = 300;
const ROUTES = { telemetry: '/telemetry?details_level=4&anonymize=true', metrics: '/metrics' };

function startServer(home) {
  const script = new URL('./api-server.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, home.dataDir, home.cwd], { cwd: home.cwd, stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, ...JSON.parse(out) });
    });
    child.on('exit', (code) => reject(new Error(`api server exited ${code}: ${err.slice(-1000)}`)));
  });
}

function load(port, token, path, duration) {
  return autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: CONNECTIONS,
    duration,
    headers: { authorization: `Bearer ${token}`, host: `127.0.0.1:${port}` },
  });
}

/** One request at a time on a kept-alive connection, timed with hrtime: autocannon reports whole ms. */
async function serial(port, token, path, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      http
        .get({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}`, host: `127.0.0.1:${port}` } }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () =>
            res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${path}: ${res.statusCode}`)),
          );
        })
        .on('error', reject);
    });
  const ms = [];
  for (let i = 0; i < 50 + count; i++) {
    const t = await get();
    if (i >= 50) ms.push(t);
  }
  agent.destroy();
  return ms;
}

export async function run() {
  const home = makeTmpHome();
  const server = await startServer(home);
  try {
    const results = { telemetry: [], metrics: [] };
    for (const path of Object.values(ROUTES)) await load(server.port, server.token, path, WARMUP_S);
    for (let i = 0; i < RUNS; i++) {
      for (const [name, path] of Object.entries(ROUTES)) {
        const r = await load(server.port, server.token, path, DURATION_S);
        if (r.errors > 0 || r.non2xx > 0 || r.timeouts > 0)
          throw new Error(`${path}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.timeouts} timeouts`);
        results[name].push({
          p50: r.latency.p50,
          p99: r.latency.p99,
          rps: r.requests.average,
          bytesPerReq: r.throughput.total / Math.max(1, r.requests.total),
        });
      }
    }
    const m = {};
    for (const [name, label] of [
      ['telemetry', 'GET /telemetry?details_level=4&anonymize=true'],
      ['metrics', 'GET /metrics'],
    ]) {
      const rs = results[name];
      m[`api.${name}.p50`] = { area: 'latency p50', impl: label, unit: 'ms', ...summary(rs.map((x) => x.p50)) };
      m[`api.${name}.p99`] = { area: 'latency p99', impl: label, unit: 'ms', ...summary(rs.map((x) => x.p99)) };
      m[`api.${name}.rps`] = { area: 'throughput', impl: label, unit: 'req/s', ...summary(rs.map((x) => x.rps)) };
    }
    for (const [name, label] of [
      ['telemetry', 'GET /telemetry?details_level=4&anonymize=true'],
      ['metrics', 'GET /metrics'],
    ]) {
      const ms = await serial(server.port, server.token, ROUTES[name], SERIAL_REQUESTS);
      m[`api.${name}.serial.p50`] = {
        area: 'latency p50, 1 request at a time',
        impl: label,
        unit: 'ms',
        ...summary(ms),
        median: percentile(ms, 50),
        p99: percentile(ms, 99),
      };
      m[`api.${name}.serial.p99`] = {
        area: 'latency p99, 1 request at a time',
        impl: label,
        unit: 'ms',
        ...summary(ms),
        median: percentile(ms, 99),
      };
    }
    const v = (id) => m[id].median;
    const bars = [
      {
        bar: 'local API (no bar set): /telemetry req/s vs /metrics req/s',
        candor: v('api.telemetry.rps'),
        reference: v('api.metrics.rps'),
        ratio: v('api.metrics.rps') / v('api.telemetry.rps'),
        limit: 'report only',
        met: null,
      },
    ];
    return {
      area: 'local API',
      measurements: m,
      bars,
      notes: {
        latencyResolution: 'autocannon: whole ms; serial rows: hrtime over 300 requests (their min/max/spread are over requests, not runs)',
        connections: CONNECTIONS,
        durationS: DURATION_S,
        runs: RUNS,
        warmupS: WARMUP_S,
        telemetryBytes: results.telemetry[0]?.bytesPerReq,
        metricsBytes: results.metrics[0]?.bytesPerReq,
      },
    };
  } finally {
    server.child.stdin.end();
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.child.kill('SIGKILL');
        r();
      }, 5000);
      server.child.on('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    home.remove();
  }
}

await emitIfMain(import.meta.url, run);
