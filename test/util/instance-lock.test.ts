import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { createApiToken, readApiToken, TOKEN_FILE } from '../../main/util/api-token.js';
import { acquireLock, LOCK_FILE, LockedError, liveLock } from '../../main/util/instance-lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that certainly belongs to no running process: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('instance lock', () => {
  it('is exclusive while its owner lives, and names the owner', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: holder.pid, started_at: '2026-11-25T10:00:00.000Z', port: 6334 }));
      expect(liveLock(dir)?.pid).toBe(holder.pid);
      let error: unknown;
      try {
        acquireLock(dir);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(LockedError);
      expect((error as Error).message).toContain(`pid ${holder.pid}`);
      expect((error as Error).message).toContain('2026-11-25T10:00:00.000Z');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a stale lock left by a dead process, and a corrupt one', () => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), started_at: 'then', port: null }));
    const lock = acquireLock(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    writeFileSync(join(dir, LOCK_FILE), 'not json');
    acquireLock(dir).release();
  });

  it('records the port once known and creates a missing data directory', () => {
    const nested = join(dir, 'a', 'b');
    const lock = acquireLock(nested);
    lock.setPort(4321);
    expect(JSON.parse(readFileSync(join(nested, LOCK_FILE), 'utf8')).port).toBe(4321);
    lock.release();
  });
});

describe('instance lock under a race', () => {
  it('lets exactly one of several processes starting at once take it', async () => {
    buildOnce();
    const built = pathToFileURL(join(APP_ROOT, 'dist/main/util/instance-lock.js')).href;
    const script = `import { acquireLock } from '${built}';
try { acquireLock(process.argv[1]); console.log('won'); setTimeout(() => {}, 1500); }
catch (e) { console.log(e.name === 'LockedError' ? 'locked' : 'error ' + e.message); }`;
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.stdout.once('data', () => resolve(out.trim()));
        }),
    );
    const results = await Promise.all(runs);
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'locked')).toHaveLength(5);
  });
});

describe('API token', () => {
  it('is random per start and readable only by this user', () => {
    const first = createApiToken(dir);
    const second = createApiToken(dir);
    expect(first).toMatch(/^[0-9a-f]{48}$/);
    expect(second).not.toBe(first);
    expect(readApiToken(dir)).toBe(second);
    if (process.platform !== 'win32') expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });
});
