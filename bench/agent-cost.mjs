// Area 6: what the agent costs while it runs. A headless agent (sampling every
// 10 s, no endpoint) and a bare idling `node` start together; once the agent's API
// is up, both are watched for the same 60 s: CPU from /proc/<pid>/stat
// (utime + stime), RSS from /proc/<pid>/status, read every 10 s.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { emitIfMain } from './child.mjs';
import { cpuSeconds, rssMiB } from './proc-stat.mjs';
import { median, summary } from './stats.mjs';
import { makeTmpHome } from './tmp-home.mjs';

const WINDOW_S = Number(process.env.CANDOR_BENCH_COST_WINDOW_S ?? 60);
const READ_EVERY_S = 10;
const SETTLE_MS = 2000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cli = new URL('../dist/main/cli.js', import.meta.url).pathname;
// For diagnosis only (not set by npm run bench): extra node flags for the agent, e.g. --max-semi-space-size=1.
const AGENT_FLAGS = (process.env.CANDOR_BENCH_AGENT_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitFor(check, timeoutMs, what) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function run() {
  const home = makeTmpHome();
  const env = { PATH: process.env.PATH, HOME: home.cwd, LANG: 'C.UTF-8' };
  const started = performance.now();
  const agent = spawn(process.execPath, [...AGENT_FLAGS, cli, 'start', '--headless', '--port', '0', '--data-dir', home.dataDir], {
    cwd: home.cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { cwd: home.cwd, env, stdio: 'ignore' });
  let log = '';
  agent.stderr.on('data', (d) => (log += d));
  try {
    await waitFor(
      () => existsSync(join(home.dataDir, 'api-token')) && /local API/.test(log),
      30_000,
      `the agent's API (log: ${log.slice(-500)})`,
    );
    const readyMs = performance.now() - started;
    await sleep(SETTLE_MS);
    const reads = [];
    const read = () => ({
      t: performance.now(),
      agentCpu: cpuSeconds(agent.pid),
      bareCpu: cpuSeconds(bare.pid),
      agentRss: rssMiB(agent.pid),
      bareRss: rssMiB(bare.pid),
    });
    reads.push(read());
    for (let s = READ_EVERY_S; s <= WINDOW_S; s += READ_EVERY_S) {
      await sleep(reads[0].t + s * 1000 - performance.now());
      reads.push(read());
    }
    if (agent.exitCode !== null) throw new Error(`agent exited early: ${log.slice(-500)}`);
    const first = reads[0];
    const last = reads[reads.length - 1];
    const wall = (last.t - first.t) / 1000;
    const agentCpuPct = ((last.agentCpu - first.agentCpu) / wall) * 100;
    const bareCpuPct = ((last.bareCpu - first.bareCpu) / wall) * 100;
    const agentRss = median(reads.map((r) => r.agentRss));
    const bareRss = median(reads.map((r) => r.bareRss));
    const agentRssMax = Math.max(...reads.map((r) => r.agentRss));
    const one = (v) => ({ median: v, min: v, max: v, spread: 0, runs: 1 });
    const m = {
      'cost.cpu.agent': {
        area: `CPU over ${wall.toFixed(0)} s, % of one core`,
        impl: 'Candor headless agent',
        unit: '%',
        ...one(agentCpuPct),
      },
      'cost.cpu.bare': { area: `CPU over ${wall.toFixed(0)} s, % of one core`, impl: 'bare node, idle', unit: '%', ...one(bareCpuPct) },
      'cost.rss.agent': {
        area: `RSS, median of ${reads.length} reads`,
        impl: 'Candor headless agent',
        unit: 'MiB',
        ...summary(reads.map((r) => r.agentRss)),
      },
      'cost.rss.bare': {
        area: `RSS, median of ${reads.length} reads`,
        impl: 'bare node, idle',
        unit: 'MiB',
        ...summary(reads.map((r) => r.bareRss)),
      },
    };
    const cpuAbove = agentCpuPct - bareCpuPct;
    const rssAbove = agentRss - bareRss;
    const bars = [
      {
        bar: 'agent CPU: at most 0.5% of one core above bare node',
        candor: agentCpuPct,
        reference: bareCpuPct,
        ratio: cpuAbove,
        limit: '<= +0.5 points',
        met: cpuAbove <= 0.5,
      },
      {
        bar: 'agent RSS (median of reads): at most 30 MiB above bare node',
        candor: agentRss,
        reference: bareRss,
        ratio: rssAbove,
        limit: '<= +30 MiB',
        met: rssAbove <= 30,
      },
      {
        bar: 'agent RSS peak (max of reads, usually the first, 2 s after start)',
        candor: agentRssMax,
        reference: bareRss,
        ratio: agentRssMax - bareRss,
        limit: 'report only',
        met: null,
      },
    ];
    return {
      area: 'agent cost',
      measurements: m,
      bars,
      notes: {
        agentNodeFlags: AGENT_FLAGS,
        windowS: wall,
        readEveryS: READ_EVERY_S,
        readyMs,
        reads,
        ratioColumn: 'difference (points / MiB), not a ratio',
      },
    };
  } finally {
    await Promise.all([stop(agent), stop(bare)]);
    home.remove();
  }
}

await emitIfMain(import.meta.url, run);
