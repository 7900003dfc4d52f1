// Area 7: `candor report` as a whole process (spawn to exit, output read), against
// `node -e` loading systeminformation and making the same calls collectSystem()
// makes, in parallel, and printing them as JSON.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { emitIfMain } from './child.mjs';
import { summary } from './stats.mjs';
import { makeTmpHome } from './tmp-home.mjs';

const RUNS = 7;
const cli = new URL('../dist/main/cli.js', import.meta.url).pathname;
// The child runs in a temp cwd, so it requires systeminformation by its resolved path.
const SI_PATH = createRequire(import.meta.url).resolve('systeminformation');
const SAME_CALLS = `const si = require(${JSON.stringify(SI_PATH)}); Promise.all([si.osInfo(), si.cpu(), si.cpuFlags(), si.mem(), si.diskLayout(), si.blockDevices(), si.graphics(), si.system()]).then((r) => process.stdout.write(JSON.stringify(r)))`;

function wall(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (d) => (bytes += d.length));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0 || bytes === 0) reject(new Error(`${args.join(' ')} exited ${code} with ${bytes} bytes: ${err.slice(-1000)}`));
      else resolve({ ms, bytes });
    });
  });
}

export async function run() {
  const home = makeTmpHome();
  const env = { PATH: process.env.PATH, HOME: home.cwd, LANG: 'C.UTF-8' };
  try {
    const candor = [];
    const plain = [];
    let bytes = {};
    for (let i = 0; i <= RUNS; i++) {
      const c = await wall([cli, 'report', '--details-level', '4', '--data-dir', home.dataDir], home.cwd, env);
      const p = await wall(['-e', SAME_CALLS], home.cwd, env);
      if (i === 0) bytes = { candor: c.bytes, plain: p.bytes };
      else {
        candor.push(c.ms);
        plain.push(p.ms);
      }
    }
    const m = {
      'cli.candor': { area: 'whole process, spawn to exit', impl: 'candor report --details-level 4', unit: 'ms', ...summary(candor) },
      'cli.plain': { area: 'whole process, spawn to exit', impl: 'node -e systeminformation, same 8 calls', unit: 'ms', ...summary(plain) },
    };
    const v = (id) => m[id].median;
    const bars = [
      {
        bar: 'candor report (no bar set): wall time vs node -e with the same calls',
        candor: v('cli.candor'),
        reference: v('cli.plain'),
        ratio: v('cli.candor') / v('cli.plain'),
        limit: 'report only',
        met: null,
      },
    ];
    return { area: 'candor report (CLI)', measurements: m, bars, notes: { runs: RUNS, outputBytes: bytes } };
  } finally {
    home.remove();
  }
}

await emitIfMain(import.meta.url, run);
