import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';

// Issue 10 item 5, end to end: the real CLI (dist/) refuses a data directory another
// user owns or that group or others can write, like ssh's StrictModes: it names the
// folder and the fix, exits non-zero, and writes nothing there. The agent (`start
// --headless`) and a passive command (`status`) both refuse.

const posix = process.platform !== 'win32';
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let root: string;
let cwd: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'candor-owner-'));
  cwd = join(root, 'work');
  mkdirSync(join(cwd, 'config'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function candor(args: string[]): { status: number | null; stderr: string } {
  buildOnce();
  const run = spawnSync(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stderr: run.stderr };
}

/** A data directory as a previous owner left it: a settings file that grants consent. */
function preparedDataDir(): string {
  const dir = join(root, 'data');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({ schema_version: 1, consent: { state: 'granted', at: '2026-01-01T00:00:00.000Z' } }),
  );
  return dir;
}

describe.skipIf(!posix)('a data directory someone else controls', () => {
  it.skipIf(!isRoot)(
    `another user's folder: refused with its owner and chown named${isRoot ? '' : ' (skipped: only root can give a folder to another user)'}`,
    () => {
      const dir = preparedDataDir();
      chmodSync(dir, 0o700);
      chownSync(dir, NOBODY, NOBODY);
      chownSync(join(dir, 'settings.json'), NOBODY, NOBODY);
      for (const args of [['start', '--headless', '--port', '0'], ['status']]) {
        const run = candor([...args, '--data-dir', dir]);
        expect(run.status, run.stderr).toBe(1);
        expect(run.stderr).toContain(`candor: data directory ${dir} belongs to uid ${NOBODY}, not to the user running Candor`);
        expect(run.stderr).toContain(`chown -R `);
        expect(readdirSync(dir)).toEqual(['settings.json']);
      }
    },
  );

  it.each([
    ['0770', 0o770],
    ['0777', 0o777],
  ])('a folder with mode %s: refused with chmod 700 named, and left as it was', (_label, mode) => {
    const dir = preparedDataDir();
    chmodSync(dir, mode);
    for (const args of [['start', '--headless', '--port', '0'], ['status']]) {
      const run = candor([...args, '--data-dir', dir]);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(`candor: data directory ${dir} is writable by`);
      expect(run.stderr).toContain(`chmod 700 ${dir}`);
      expect(readdirSync(dir)).toEqual(['settings.json']);
      expect(statSync(dir).mode & 0o777).toBe(mode);
    }
    // After the fix the person is told about, it starts (status reads it).
    chmodSync(dir, 0o700);
    const fixed = candor(['status', '--data-dir', dir]);
    expect(fixed.status, fixed.stderr).toBe(0);
  });
});
