import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lchownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirError, ensureSafeDataDir } from '../../main/util/data-dir.js';
import { SYMLINK_REFUSAL } from '../../main/util/safe-open.js';

// ensureSafeDataDir on real folders: what it creates, what it tightens, what it refuses.

const posix = process.platform !== 'win32';
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const rootOnly = isRoot ? '' : ' (skipped: only root can give a folder to another user)';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'candor-datadir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;

function refusal(dir: string): DataDirError {
  try {
    ensureSafeDataDir(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(DataDirError);
    return error as DataDirError;
  }
  throw new Error(`ensureSafeDataDir(${dir}) accepted the folder`);
}

describe.skipIf(!posix)('ensureSafeDataDir', () => {
  it('creates a missing data directory and its missing parents as 0700', () => {
    const dir = join(root, 'a', 'b', 'data');
    ensureSafeDataDir(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(root, 'a'))).toBe(0o700);
    expect(mode(join(root, 'a', 'b'))).toBe(0o700);
  });

  it("tightens a folder that is the user's but readable by others, and everything in it", () => {
    const dir = join(root, 'data');
    mkdirSync(join(dir, 'outbox', 'rejected'), { recursive: true });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'outbox'), 0o755);
    chmodSync(join(dir, 'outbox', 'rejected'), 0o711);
    writeFileSync(join(dir, 'settings.json'), '{}', { mode: 0o644 });
    writeFileSync(join(dir, 'outbox', 'rejected', 'x.reason.txt'), 'r', { mode: 0o666 });
    chmodSync(join(dir, 'outbox', 'rejected', 'x.reason.txt'), 0o666);
    ensureSafeDataDir(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'outbox'))).toBe(0o700);
    expect(mode(join(dir, 'outbox', 'rejected'))).toBe(0o700);
    expect(mode(join(dir, 'settings.json'))).toBe(0o600);
    expect(mode(join(dir, 'outbox', 'rejected', 'x.reason.txt'))).toBe(0o600);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe('{}');
  });

  it.each([
    [0o770, 'its group'],
    [0o707, 'others'],
    [0o777, 'its group and by others'],
  ])('refuses a data directory with mode %o (writable by %s), naming the path and the fix, and changes nothing', (loose, who) => {
    const dir = join(root, 'data');
    mkdirSync(dir);
    chmodSync(dir, loose);
    writeFileSync(join(dir, 'settings.json'), '{}', { mode: 0o644 });
    const error = refusal(dir);
    expect(error.path).toBe(dir);
    expect(error.message).toContain(`data directory ${dir} is writable by ${who}`);
    expect(error.message).toContain(`chmod 700 ${dir}`);
    // Refused, not repaired: someone else may already have written in it.
    expect(mode(dir)).toBe(loose);
    expect(mode(join(dir, 'settings.json'))).toBe(0o644);
  });

  it.skipIf(!isRoot)(`refuses a data directory another user owns, naming the path, the owner and chown${rootOnly}`, () => {
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, NOBODY, NOBODY);
    const error = refusal(dir);
    expect(error.message).toContain(`data directory ${dir} belongs to uid ${NOBODY}, not to the user running Candor`);
    expect(error.message).toMatch(new RegExp(`chown -R \\S+ ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(statSync(dir).uid).toBe(NOBODY);
  });

  it.skipIf(!isRoot)(`refuses a file in it that another user owns${rootOnly}`, () => {
    const dir = join(root, 'data');
    mkdirSync(join(dir, 'history'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'history', 'ids.json'), '[]');
    chownSync(join(dir, 'history', 'ids.json'), NOBODY, NOBODY);
    const error = refusal(dir);
    expect(error.path).toBe(join(dir, 'history', 'ids.json'));
    expect(error.message).toContain(`belongs to uid ${NOBODY}`);
  });

  it.each(['settings.json', 'agent.lock', 'history', join('history', 'ids.json'), join('outbox', 'state.json')])(
    'refuses a symbolic link at %s with the path and "does not follow links", and leaves its target alone',
    (rel) => {
      const dir = join(root, 'data');
      mkdirSync(join(dir, 'outbox'), { recursive: true, mode: 0o700 });
      if (rel.startsWith('history/')) mkdirSync(join(dir, 'history'), { mode: 0o700 });
      const victim = join(root, 'victim');
      writeFileSync(victim, 'not Candor’s', { mode: 0o644 });
      symlinkSync(victim, join(dir, rel));
      const error = refusal(dir);
      expect(error.path).toBe(join(dir, rel));
      expect(error.message).toContain(`${join(dir, rel)} ${SYMLINK_REFUSAL}`);
      expect(error.message).toContain(`rm ${join(dir, rel)}`);
      expect(readFileSync(victim, 'utf8')).toBe('not Candor’s');
      expect(mode(victim)).toBe(0o644);
    },
  );

  it('refuses a FIFO under a data file name instead of blocking on it', () => {
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o700 });
    execFileSync('mkfifo', [join(dir, 'settings.json')]);
    expect(refusal(dir).message).toContain(`${join(dir, 'settings.json')} in the data directory is a FIFO`);
  });

  it("accepts a data directory path that is the user's link to the user's folder, and judges the folder", () => {
    const real = join(root, 'elsewhere', 'candor');
    mkdirSync(real, { recursive: true });
    chmodSync(real, 0o755);
    const link = join(root, 'data');
    symlinkSync(real, link);
    ensureSafeDataDir(link);
    expect(mode(real)).toBe(0o700);

    chmodSync(real, 0o775);
    expect(refusal(link).message).toContain('is writable by its group');
  });

  it.skipIf(!isRoot)(`refuses a data directory path that is a link another user owns (they could re-point it)${rootOnly}`, () => {
    const real = join(root, 'mine');
    mkdirSync(real, { mode: 0o700 });
    const link = join(root, 'data');
    symlinkSync(real, link);
    lchownSync(link, NOBODY, NOBODY);
    expect(refusal(link).message).toContain(`data directory ${link} is a symbolic link owned by uid ${NOBODY}`);
  });

  it("leaves electron/ (Chromium's profile and its own links) unwalked", () => {
    const dir = join(root, 'data');
    mkdirSync(join(dir, 'electron'), { recursive: true, mode: 0o700 });
    symlinkSync('host-1234', join(dir, 'electron', 'SingletonLock'));
    expect(() => ensureSafeDataDir(dir)).not.toThrow();
  });

  it('refuses a path that is a file, not a folder', () => {
    const file = join(root, 'data');
    writeFileSync(file, '');
    expect(refusal(file).message).toContain(`data directory ${file} is not a folder`);
  });
});
