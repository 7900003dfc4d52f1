import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { createApiToken, readApiToken, TOKEN_FILE } from '../../main/util/api-token.js';
import { acquireLock, LOCK_FILE, LockedError, liveLock, readLock } from '../../main/util/instance-lock.js';
import { DataDirError } from '../../main/util/data-dir.js';
import { SYMLINK_REFUSAL } from '../../main/util/safe-open.js';
import { childReaper } from '../support/child.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-lock-'));
});
const reaper = childReaper();
afterEach(async () => {
  await reaper.reap();
  rmSync(dir, { recursive: true, force: true });
});

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

// PID reuse. In a container the agent is pid 1 at every start, so after a kill -9 the
// stale lock names a pid that is alive again: the start time in the lock tells the two
// lives apart (main/util/process-start.ts).

const linux = process.platform === 'linux';
const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const lockOf = (): Record<string, unknown> => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Record<string, unknown>;

function acquireError(): unknown {
  try {
    acquireLock(dir).release();
  } catch (error) {
    return error;
  }
  return null;
}

/** A child (under `wrapper`, e.g. unshare) that takes the lock with the built code and holds it until killed. */
async function holderChild(wrapper: string[]): Promise<{ child: ChildProcessWithoutNullStreams; said: string }> {
  buildOnce();
  const built = pathToFileURL(join(APP_ROOT, 'dist/main/util/instance-lock.js')).href;
  const script = `import { acquireLock } from '${built}';
try { acquireLock(process.argv[1]); console.log('won ' + process.pid); } catch (e) { console.log((e.name === 'LockedError' ? 'locked ' : 'error ') + e.message); }
setInterval(() => {}, 1000);`;
  const [command = process.execPath, ...args] = [...wrapper, process.execPath, '--input-type=module', '-e', script, dir];
  const child = reaper.track(spawn(command, args));
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const said = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${String(code)}) before answering: ${err}`)));
  });
  return { child, said };
}

describe.skipIf(!linux)('instance lock and pid reuse', () => {
  it('records the process start (boot id and start ticks) next to the pid', () => {
    const lock = acquireLock(dir);
    try {
      expect(lockOf()['pid']).toBe(process.pid);
      expect(lockOf()['process_start']).toMatch(new RegExp(`^${bootId()}:\\d+$`));
    } finally {
      lock.release();
    }
  });

  it('takes over a lock whose pid is alive but belongs to a process that started at another time', async () => {
    const unrelated = reaper.track(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
    await new Promise((resolve) => unrelated.once('spawn', resolve));
    for (const start of [`${bootId()}:1`, `00000000-0000-4000-8000-000000000000:999999999`]) {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: unrelated.pid, started_at: 'before', port: 6334, process_start: start }));
      expect(liveLock(dir)).toBeNull();
      const lock = acquireLock(dir);
      expect(lockOf()['pid']).toBe(process.pid);
      lock.release();
    }
    expect(unrelated.exitCode).toBeNull(); // the unrelated process was only looked at
  });

  it('refuses a lock held by a live agent whose start time matches, naming it', async () => {
    const { child, said } = await holderChild([]);
    expect(said).toBe(`won ${String(child.pid)}`);
    expect(readLock(dir)?.process_start).toMatch(/:\d+$/);
    expect(liveLock(dir)?.pid).toBe(child.pid);
    const error = acquireError();
    expect(error).toBeInstanceOf(LockedError);
    expect((error as Error).message).toContain(`pid ${String(child.pid)}`);
    expect((error as Error).message).toContain(`remove ${join(dir, LOCK_FILE)}`);
  });

  it('takes over a lock naming this very process when this process does not hold it (its previous life)', () => {
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, started_at: 'before', port: null, process_start: `${bootId()}:1` }),
    );
    expect(acquireError()).toBeNull();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, started_at: 'before', port: null }));
    expect(acquireError()).toBeNull();
  });

  it('refuses a second acquire by the process that holds it', () => {
    const lock = acquireLock(dir);
    try {
      expect(acquireError()).toBeInstanceOf(LockedError);
    } finally {
      lock.release();
    }
  });
});

// The container case for real: a pid namespace (unshare, root only) makes the agent
// pid 1; it is SIGKILLed holding the lock, and the next start is pid 1 again.
const unshareProbe = linux
  ? spawnSync(
      'unshare',
      ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, '-e', 'process.stdout.write(String(process.pid))'],
      {
        encoding: 'utf8',
      },
    )
  : null;
const noNamespace =
  unshareProbe === null
    ? 'not Linux'
    : unshareProbe.stdout !== '1'
      ? `unshare --pid could not make a pid namespace here (${(unshareProbe.stderr || String(unshareProbe.error ?? 'no output')).trim().split('\n')[0]}); needs root`
      : null;

describe.skipIf(noNamespace !== null)(`instance lock in a pid namespace${noNamespace === null ? '' : ` (skipped: ${noNamespace})`}`, () => {
  it('a restart after kill -9 is pid 1 again and takes over the stale lock', async () => {
    const args = ['--pid', '--fork', '--mount-proc', '--kill-child'];
    const first = await holderChild(['unshare', ...args]);
    expect(first.said).toBe('won 1');
    expect(lockOf()['pid']).toBe(1);
    const gone = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await gone;
    expect(lockOf()['pid']).toBe(1); // left behind by the kill
    const second = await holderChild(['unshare', ...args]);
    expect(second.said).toBe('won 1');
  });
});

describe.skipIf(process.platform === 'win32')('instance lock and links', () => {
  it('refuses a lock file that is a symbolic link, and leaves its target alone', () => {
    const victim = join(dir, '..', `${dir.split('/').pop() ?? 'x'}-victim`);
    writeFileSync(victim, JSON.stringify({ pid: 1, started_at: 'x', port: null }));
    try {
      symlinkSync(victim, join(dir, LOCK_FILE));
      expect(() => acquireLock(dir)).toThrow(DataDirError);
      expect(() => acquireLock(dir)).toThrow(`${join(dir, LOCK_FILE)} ${SYMLINK_REFUSAL}`);
      expect(() => liveLock(dir)).toThrow(SYMLINK_REFUSAL);
      expect(readFileSync(victim, 'utf8')).toContain('"pid":1');
    } finally {
      rmSync(victim, { force: true });
    }
  });
});
