import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCapture } from '../../main/collect/errors.js';

// Real crashes in real child processes. The child runs the compiled module (bundled
// here with esbuild from the sources, so this test does not depend on, or rebuild
// under, anyone else's dist/), installs the capture, and dies the way Node decides.

let dir: string;
let moduleUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candor-crash-'));
  const outfile = join(dir, 'errors.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '../../main/collect/errors.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  moduleUrl = pathToFileURL(outfile).href;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runChild(name: string, body: string, persistFile: string): { status: number | null; stderr: string; stdout: string } {
  const script = join(dir, `${name}.mjs`);
  writeFileSync(
    script,
    [
      `import { ErrorCapture } from ${JSON.stringify(moduleUrl)};`,
      `const capture = new ErrorCapture({ persistFile: ${JSON.stringify(persistFile)} });`,
      'capture.install();',
      body,
    ].join('\n'),
  );
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, stderr: child.stderr, stdout: child.stdout };
}

describe('crash capture in a real process', () => {
  it('persists an uncaught exception before Node exits, without changing how it exits', () => {
    const file = join(dir, 'uncaught', 'errors.json');
    const child = runChild(
      'uncaught',
      [
        "capture.record({ source: 'renderer', kind: 'reported', type: 'Warning', message: 'earlier, reported' });",
        'function explode() { throw new TypeError("boom at the worst time"); }',
        'setTimeout(explode, 1);',
        'setTimeout(() => console.log("still alive"), 200);',
      ].join('\n'),
      file,
    );
    expect(child.status).toBe(1); // Node's own exit code for an uncaught exception
    expect(child.stderr).toContain('TypeError: boom at the worst time'); // Node still printed it
    expect(child.stdout).not.toContain('still alive');
    expect(existsSync(file)).toBe(true);

    const next = new ErrorCapture({ persistFile: file });
    const { captured } = next.section();
    expect(captured.map((c) => [c.kind, c.type, c.message, c.source])).toEqual([
      ['uncaughtException', 'TypeError', 'boom at the worst time', 'main'],
      ['reported', 'Warning', 'earlier, reported', 'renderer'],
    ]);
    expect(captured[0]?.stack).toMatch(/\n {4}at .*explode/);
    expect(captured[0]?.count).toBe(1);
    next.sectionForReport().markQueued();
    expect(existsSync(file)).toBe(false); // reported once, by the next start
  });

  it('persists an unhandled promise rejection with its origin', () => {
    const file = join(dir, 'rejection.json');
    const child = runChild('rejection', 'Promise.reject(new RangeError("nobody caught me"));', file);
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('nobody caught me');
    const [c] = new ErrorCapture({ persistFile: file }).section().captured;
    expect(c).toMatchObject({ kind: 'unhandledRejection', type: 'RangeError', message: 'nobody caught me', source: 'main' });
  });

  it('persists a thrown non-Error value too', () => {
    const file = join(dir, 'string.json');
    const child = runChild('string', 'setTimeout(() => { throw "just a string"; }, 1);', file);
    expect(child.status).toBe(1);
    const [c] = new ErrorCapture({ persistFile: file }).section().captured;
    expect(c).toMatchObject({ kind: 'uncaughtException', type: 'string', message: 'just a string' });
  });

  it('leaves an app-installed uncaughtException handler in charge (the process survives)', () => {
    const file = join(dir, 'handled.json');
    const child = runChild(
      'handled',
      [
        'process.on("uncaughtException", (e) => console.log("handled:", e.message));',
        'setTimeout(() => { throw new Error("survivable"); }, 1);',
        'setTimeout(() => console.log("still alive"), 50);',
      ].join('\n'),
      file,
    );
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('handled: survivable');
    expect(child.stdout).toContain('still alive');
    expect(new ErrorCapture({ persistFile: file }).section().captured.map((c) => c.message)).toEqual(['survivable']);
  });
});
