// Runs a node script in a fresh process and returns the JSON line it writes on fd 3
// (stdout and stderr stay free for whatever the code under test logs).

import { spawn } from 'node:child_process';

export function spawnJson(script, args = [], { cwd, env = process.env, timeoutMs = 240_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdio[3].on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`${script} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(line));
    });
  });
}
