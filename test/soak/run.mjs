// Soak: a headless agent (the built code in dist/, in a child process: agent.mjs) for SOAK_SECONDS (default 600) with
// sampling every second, a report every 10 s to a loopback collector that fails a
// third of the time (HTTP 500), and its local API polled continuously at a bounded
// rate. At the end every report produced must be delivered exactly once or accounted
// for (still pending, or counted by the outbox bound), RSS must have grown by less than
// 10 MiB after warm-up, and nothing may have been rejected unhandled.
//
//   npm run soak                   (builds first; 10 minutes)
//   SOAK_SECONDS=120 npm run soak  (a shorter run)
//
// Prints the figures, and one JSON line (prefixed "soak-figures ") for docs/reliability.md.
// Exit code 0 when every check holds, 1 otherwise.

import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = positive(process.env.SOAK_SECONDS, 600);
const REPORT_EVERY_MS = 10_000;
const POLL_PER_SECOND = 20;
const FAIL_ONE_IN = 3;
const RSS_LIMIT_BYTES = 10 * 1024 * 1024;
// Warm-up: JIT, caches, the sampler's ring, the histograms' label sets and the ledger's
// kept bodies (20) settle first; growth is measured over the rest of the run.
const WARMUP_S = Math.min(120, Math.max(10, Math.round(SECONDS / 4)));
const MEMORY_EVERY_MS = 5_000;

function positive(text, fallback) {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(2);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

// Anything unhandled (here or in the agent) is a failure of the soak, counted rather than fatal so the run ends with figures.
const unhandled = [];
process.on('unhandledRejection', (reason) =>
  unhandled.push(`unhandledRejection: ${reason instanceof Error ? reason.stack : String(reason)}`),
);
process.on('uncaughtException', (error) => unhandled.push(`uncaughtException: ${error.stack ?? String(error)}`));

// --- the collector: fails one request in three with 500, records what it accepted ---
const collector = { requests: 0, failed: 0, accepted: new Map(), droppedTold: 0, failNone: false };
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const index = collector.requests++;
    if (!collector.failNone && index % FAIL_ONE_IN === FAIL_ONE_IN - 1) {
      collector.failed += 1;
      res.writeHead(500, { Connection: 'close' });
      res.end('soak: failing on purpose');
      return;
    }
    const json = gunzipSync(Buffer.concat(chunks)).toString('utf8');
    const sha = createHash('sha256').update(json).digest('hex');
    res.writeHead(200, { 'Content-Type': 'application/json', Connection: 'close' });
    res.end('{}', () => {
      const seen = collector.accepted.get(sha) ?? 0;
      collector.accepted.set(sha, seen + 1);
      if (seen === 0) collector.droppedTold += JSON.parse(json).delivery?.dropped_reports ?? 0;
    });
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${server.address().port}/v1/telemetry`;

// --- the agent ---
const root = mkdtempSync(join(tmpdir(), 'candor-soak-'));
const cwd = join(root, 'work');
const dataDir = join(root, 'data');
mkdirSync(join(cwd, 'config'), { recursive: true });
// The scheduler's own first report is a day away: this script drives the 10-second reports
// (interval_s has a floor of 60 in the config schema).
writeFileSync(
  join(cwd, 'config', 'config.yaml'),
  [
    'telemetry:',
    `  endpoint: ${endpoint}`,
    '  first_delay_s: 86400',
    '  interval_s: 3600',
    '  details_level: 4',
    '  consent: granted',
    'sampling:',
    '  interval_s: 1',
    '',
  ].join('\n'),
);
const child = fork(join(here, 'agent.mjs'), [dataDir, cwd], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
// One request at a time per kind; answers arrive in order.
const waiting = new Map();
child.on('message', (message) => {
  const kind = message.type === 'sent' ? 'send' : message.type === 'stopped' ? 'stop' : message.type;
  const queue = waiting.get(kind) ?? [];
  queue.shift()?.(message);
});
const ask = (type) =>
  new Promise((resolve) => {
    const queue = waiting.get(type) ?? [];
    queue.push(resolve);
    waiting.set(type, queue);
    child.send({ type });
  });
child.on('exit', (code, signal) => {
  if (running || !stopped) unhandled.push(`the agent process exited early (${signal ?? code})`);
});
let stopped = false;
const ready = await ask('ready');
const handle = { port: ready.port, token: ready.token };
const api = `http://127.0.0.1:${handle.port}`;

const started = Date.now();
const deadline = started + SECONDS * 1000;
let running = true;

// --- reports every 10 s ---
const reports = { produced: 0, failedToProduce: 0 };
const harnessErrors = [];
const producer = (async () => {
  while (running) {
    await sleep(Math.min(REPORT_EVERY_MS, Math.max(0, deadline - Date.now())));
    if (!running || Date.now() >= deadline) break;
    const answer = await ask('send');
    if (answer.ok) reports.produced += 1;
    else {
      reports.failedToProduce += 1;
      harnessErrors.push(`sendNow: ${answer.error}`);
    }
  }
})();

// --- the local API, polled at a bounded rate (one request in flight, at most POLL_PER_SECOND) ---
const routes = [
  '/status',
  '/samples',
  '/telemetry?details_level=4&anonymize=true',
  '/history',
  '/metrics',
  '/preview?details_level=2&anonymize=true',
];
const polls = { sent: 0, ok: 0, failed: 0, byStatus: {} };
const poller = (async () => {
  const gap = 1000 / POLL_PER_SECOND;
  while (running && Date.now() < deadline) {
    const begun = Date.now();
    const route = routes[polls.sent % routes.length];
    polls.sent += 1;
    try {
      const response = await fetch(`${api}${route}`, { headers: { Authorization: `Bearer ${handle.token}` } });
      await response.arrayBuffer();
      polls.byStatus[response.status] = (polls.byStatus[response.status] ?? 0) + 1;
      if (response.ok) polls.ok += 1;
      else polls.failed += 1;
    } catch (error) {
      polls.failed += 1;
      polls.byStatus[error.code ?? 'error'] = (polls.byStatus[error.code ?? 'error'] ?? 0) + 1;
    }
    await sleep(Math.max(0, gap - (Date.now() - begun)));
  }
})();

// --- memory, after a full collection, every 5 s ---
const memory = [];
const sampleMemory = async () => {
  const { rss, heapUsed, external } = await ask('memory');
  memory.push({ t: (Date.now() - started) / 1000, rss, heapUsed, external });
};
const progressEvery = Math.max(30, Math.round(SECONDS / 10));
let lastProgress = 0;
while (Date.now() < deadline) {
  await sleep(Math.min(MEMORY_EVERY_MS, Math.max(0, deadline - Date.now())));
  await sampleMemory();
  const t = (Date.now() - started) / 1000;
  if (t - lastProgress >= progressEvery) {
    lastProgress = t;
    const last = memory.at(-1);
    console.log(
      `soak ${Math.round(t)}/${SECONDS} s: ${reports.produced} reports, ${collector.accepted.size} delivered, ${polls.sent} API calls, rss ${mib(last.rss)} MiB`,
    );
  }
}
running = false;
await Promise.all([producer, poller]);

// --- drain: the collector stops failing; one more report flushes everything queued ---
collector.failNone = true;
const last = await ask('send');
if (last.ok) reports.produced += 1;
else reports.failedToProduce += 1;
const outboxDir = join(dataDir, 'outbox');
const pendingFiles = () => readdirSync(outboxDir).filter((name) => name.endsWith('.json.gz'));
// The sender honours the backoff the failures left (capped, with jitter): wait for it to
// end, then give the last deliveries ten seconds.
const { at: retryAt } = await ask('retry-at');
const drainBy = Math.max(Date.now(), retryAt === null ? 0 : Date.parse(retryAt)) + 10_000;
while (Date.now() < drainBy && pendingFiles().length > 0) await sleep(100);
const history = await ask('history');
const final = await ask('stop');
stopped = true;
unhandled.push(...final.unhandled);
const { logCounts, logErrors } = final;
await new Promise((resolve) => server.close(resolve));

const pending = pendingFiles().length;
const droppedNotYetTold = JSON.parse(readFileSafe(join(outboxDir, 'state.json')) ?? '{"dropped":0}').dropped ?? 0;
const dropped = collector.droppedTold + droppedNotYetTold;
const delivered = collector.accepted.size;
const duplicates = [...collector.accepted.values()].reduce((sum, count) => sum + count - 1, 0);
const afterWarmup = memory.filter((m) => m.t >= WARMUP_S);
const head = afterWarmup.slice(0, 3);
const tail = afterWarmup.slice(-3);
const rssGrowth = median(tail.map((m) => m.rss)) - median(head.map((m) => m.rss));
const heapGrowth = median(tail.map((m) => m.heapUsed)) - median(head.map((m) => m.heapUsed));
// A leak keeps growing; a warm-up that is merely slow levels off. The second half says which.
const middle = memory.filter((m) => m.t >= SECONDS / 2).slice(0, 3);
const secondHalfGrowth = median(tail.map((m) => m.rss)) - median(middle.map((m) => m.rss));
rmSync(root, { recursive: true, force: true });

function readFileSafe(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const checks = [
  [
    'every report produced is delivered, pending or counted as dropped',
    reports.produced === delivered + pending + dropped,
    `${reports.produced} produced = ${delivered} delivered + ${pending} pending + ${dropped} dropped`,
  ],
  ['no report delivered twice', duplicates === 0, `${duplicates} duplicate deliveries`],
  ['the ledger lists every delivery', history.entries === delivered, `${history.entries} ledger entries`],
  ['no report failed to be produced', reports.failedToProduce === 0, `${reports.failedToProduce} failures`],
  ['the outbox drained once the collector recovered', pending === 0, `${pending} pending`],
  [
    `RSS grew by less than ${mib(RSS_LIMIT_BYTES)} MiB after warm-up`,
    afterWarmup.length >= 6 && rssGrowth < RSS_LIMIT_BYTES,
    afterWarmup.length >= 6
      ? `${mib(rssGrowth)} MiB (heap ${mib(heapGrowth)} MiB; second half ${mib(secondHalfGrowth)} MiB), median of the first 3 vs the last 3 of ${afterWarmup.length} samples after ${WARMUP_S} s`
      : `run too short to measure: ${afterWarmup.length} samples after ${WARMUP_S} s, 6 needed`,
  ],
  ['no unhandled rejection or exception', unhandled.length === 0, `${unhandled.length}`],
  ['every API call answered 2xx', polls.failed === 0, `${polls.ok}/${polls.sent} ok ${JSON.stringify(polls.byStatus)}`],
];

const figures = {
  seconds: SECONDS,
  warmup_s: WARMUP_S,
  reports_produced: reports.produced,
  reports_delivered: delivered,
  reports_pending: pending,
  reports_dropped: dropped,
  duplicate_deliveries: duplicates,
  collector_requests: collector.requests,
  collector_500s: collector.failed,
  api_calls: polls.sent,
  api_calls_per_s: Number((polls.sent / SECONDS).toFixed(1)),
  api_failures: polls.failed,
  rss_start_mib: Number(mib(median(head.map((m) => m.rss)))),
  rss_end_mib: Number(mib(median(tail.map((m) => m.rss)))),
  rss_growth_mib: Number(mib(rssGrowth)),
  heap_growth_mib: Number(mib(heapGrowth)),
  rss_first_sample_mib: Number(mib(memory[0]?.rss ?? 0)),
  rss_growth_second_half_mib: Number(mib(secondHalfGrowth)),
  unhandled: unhandled.length,
  log_lines: logCounts,
};

console.log('');
console.log(
  `soak: ${SECONDS} s, reports every ${REPORT_EVERY_MS / 1000} s, collector fails 1 in ${FAIL_ONE_IN} (HTTP 500), API polled at <= ${POLL_PER_SECOND}/s`,
);
for (const [name, ok, detail] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
for (const line of unhandled.slice(0, 5)) console.log(`  ${line}`);
for (const line of [...harnessErrors, ...logErrors].slice(0, 10)) console.log(`  log: ${line}`);
const curve = memory.filter((_, i) => i % Math.max(1, Math.round(memory.length / 12)) === 0 || i === memory.length - 1);
console.log(`  agent RSS (MiB) by time: ${curve.map((m) => `${Math.round(m.t)}s ${mib(m.rss)}`).join(', ')}`);
console.log(`soak-figures ${JSON.stringify(figures)}`);
process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
