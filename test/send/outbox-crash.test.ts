import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';
import { Outbox } from '../../main/send/outbox.js';
import { Sender } from '../../main/send/sender.js';
import { Collector, reportJson } from './collector.js';

// A separate process fills the outbox and is SIGKILLed mid-stream; a fresh instance
// (this process) must then deliver every report it had stored, none torn.
//
// The child runs the outbox compiled by esbuild into a private temp dir rather than
// dist/: scripts/build.mjs wipes dist/, which would race with other suites building
// in parallel, and it type-checks the whole tree, which other folders may break
// mid-edit. The code under test is the same source file either way.

let work: string;
let child: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'candor-crash-'));
  await build({
    entryPoints: [resolve(import.meta.dirname, '../../main/send/outbox.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(work, 'outbox.mjs'),
    logLevel: 'warning',
  });
  child = join(work, 'child.mjs');
  writeFileSync(
    child,
    `import { Outbox } from './outbox.mjs';
const outbox = new Outbox({ dir: process.argv[2] });
const report = (n) => JSON.stringify({ schema_version: 1, id: '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b', details_level: 1, generated_at: '2026-01-01T00:00:00.000Z', delivery: { dropped_reports: 0 }, n, padding: 'x'.repeat(50) });
for (let n = 1; ; n += 1) {
  await outbox.add(report(n));
  process.stdout.write('added ' + n + '\\n');
}
`,
  );
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function runAndKill(dir: string, killAfter: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let added = 0;
    createInterface({ input: proc.stdout }).on('line', (line) => {
      added = Math.max(added, Number(line.replace('added ', '')));
      if (added === killAfter) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolvePromise(added);
      else reject(new Error(`child exited without being killed (${String(signal)})`));
    });
  });
}

describe('outbox across a SIGKILL', () => {
  it('delivers, after a restart, every report a killed process had stored', async () => {
    const dir = join(work, 'outbox');
    const acknowledged = await runAndKill(dir, 25);
    expect(acknowledged).toBeGreaterThanOrEqual(25);

    const outbox = new Outbox({ dir });
    const stored = await outbox.list();
    // Everything acknowledged is there; at most the one write in progress may have landed too.
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged);
    expect(stored.length).toBeLessThanOrEqual(acknowledged + 1);
    // The killed write's temp file, if any, is never listed, and goes once it is a minute old.
    const temps = readdirSync(dir).filter((name) => name.endsWith('.tmp'));
    expect(temps.length).toBeLessThanOrEqual(1);
    const old = new Date(Date.now() - 2 * 60_000);
    for (const name of temps) utimesSync(join(dir, name), old, old);
    new Outbox({ dir });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const collector = await Collector.start(() => ({ status: 200 }));
    try {
      const sender = new Sender({
        outbox,
        ledger: new Ledger({ dir: join(work, 'history') }),
        endpoint: () => collector.url,
        gate: () => ({ sending: true }),
        userAgent: 'Candor/test',
      });
      await sender.flush();
      expect(await outbox.list()).toEqual([]);
      const delivered = collector.requests.map((request) => request.text);
      expect(delivered).toEqual(Array.from({ length: stored.length }, (_, i) => reportJson(i + 1)));
      expect(sender.state).toBe('ok');
    } finally {
      await collector.close();
    }
  });
});
