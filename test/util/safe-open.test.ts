import { execFileSync } from 'node:child_process';
import { constants, closeSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../main/util/atomic-write.js';
import { mkdirPrivateSync } from '../../main/util/private-mode.js';
import {
  openNoFollowSync,
  readFileNoFollow,
  readFileNoFollowSync,
  SYMLINK_REFUSAL,
  SymlinkRefusedError,
} from '../../main/util/safe-open.js';

// The file primitives every store uses: reads that refuse links, writes that replace
// them, and modes that do not depend on the umask (the umask itself is exercised in
// child processes by test/hardening/datadir-modes.test.ts).

const posix = process.platform !== 'win32';
let dir: string;
let victim: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-safe-open-'));
  victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'someone else’s file', { mode: 0o644 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;

describe.skipIf(!posix)('reads never follow a link', () => {
  it('readFileNoFollowSync and readFileNoFollow refuse a link, naming it', async () => {
    const link = join(dir, 'ids.json');
    symlinkSync(victim, link);
    expect(() => readFileNoFollowSync(link)).toThrow(SymlinkRefusedError);
    expect(() => readFileNoFollowSync(link)).toThrow(`${link} ${SYMLINK_REFUSAL}`);
    await expect(readFileNoFollow(link)).rejects.toThrow(`${link} ${SYMLINK_REFUSAL}`);
    // The code stays the OS's, so callers that treat unreadable files as corrupt still do.
    expect(() => readFileNoFollowSync(link)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  });

  it('read regular files, and say ENOENT for missing ones', async () => {
    expect(readFileNoFollowSync(victim).toString()).toBe('someone else’s file');
    expect((await readFileNoFollow(victim)).toString()).toBe('someone else’s file');
    expect(() => readFileNoFollowSync(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('refuse a FIFO at once instead of blocking on it', async () => {
    const fifo = join(dir, 'settings.json');
    execFileSync('mkfifo', [fifo]);
    expect(() => readFileNoFollowSync(fifo)).toThrow(`${fifo} is not a regular file`);
    await expect(readFileNoFollow(fifo)).rejects.toThrow(`${fifo} is not a regular file`);
  });

  it('openNoFollowSync refuses a link even when creating (O_CREAT alone would write through it)', () => {
    const link = join(dir, 'history.jsonl');
    symlinkSync(victim, link);
    expect(() => openNoFollowSync(link, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT)).toThrow(SYMLINK_REFUSAL);
    expect(readFileSync(victim, 'utf8')).toBe('someone else’s file');
  });

  it('openNoFollowSync creates a new file 0600 by default', () => {
    const file = join(dir, 'new');
    closeSync(openNoFollowSync(file, constants.O_WRONLY | constants.O_CREAT));
    expect(mode(file)).toBe(0o600);
  });
});

describe.skipIf(!posix)('atomic writes replace a link instead of writing through it', () => {
  it.each(['sync', 'async'])('%s: the link becomes a private regular file and its target is untouched', async (kind) => {
    const link = join(dir, 'settings.json');
    symlinkSync(victim, link);
    if (kind === 'sync') writeFileAtomicSync(link, 'Candor’s own');
    else await writeFileAtomic(link, 'Candor’s own');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, 'utf8')).toBe('Candor’s own');
    expect(mode(link)).toBe(0o600);
    expect(readFileSync(victim, 'utf8')).toBe('someone else’s file');
    expect(mode(victim)).toBe(0o644);
  });

  it('a caller may still ask for another mode', () => {
    const file = join(dir, 'export.json');
    writeFileAtomicSync(file, '{}', { mode: 0o640 });
    expect(mode(file)).toBe(0o640);
  });
});

describe.skipIf(!posix)('mkdirPrivateSync', () => {
  it('creates 0700 folders, and refuses a link in the folder’s place', () => {
    mkdirPrivateSync(join(dir, 'outbox', 'rejected'));
    expect(mode(join(dir, 'outbox'))).toBe(0o700);
    expect(mode(join(dir, 'outbox', 'rejected'))).toBe(0o700);
    symlinkSync(dir, join(dir, 'history'));
    expect(() => mkdirPrivateSync(join(dir, 'history'))).toThrow(`${join(dir, 'history')} ${SYMLINK_REFUSAL}`);
  });
});
