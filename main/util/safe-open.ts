import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

// Opening a file in the data directory never follows a symbolic link: a link planted
// there (by whoever could write to the folder once) must not make Candor read another
// file as its own, or append its history to a file elsewhere. O_NOFOLLOW makes the
// kernel refuse a link in the last path component; where the platform has no such flag
// (Windows), an lstat before the open is the check, which a race could beat, but
// creating links there needs a privilege ordinary users lack.
//
// Writes that replace a file (util/atomic-write.ts) need none of this: rename(2)
// replaces a link with the new file instead of writing through it.

const NOFOLLOW: number = constants.O_NOFOLLOW ?? 0;
// A FIFO planted under a data file's name would block a plain read-only open forever;
// non-blocking, the open returns and the regular-file check below refuses it.
const NONBLOCK: number = constants.O_NONBLOCK ?? 0;

/** The sentence every refusal carries, so a person searching for it finds the docs. */
export const SYMLINK_REFUSAL = 'is a symbolic link; Candor does not follow links in its data directory';

/** A data-directory file turned out to be a symbolic link. `code` stays ELOOP, what the OS says for it. */
export class SymlinkRefusedError extends Error {
  override name = 'SymlinkRefusedError';
  readonly code = 'ELOOP';
  constructor(readonly path: string) {
    super(`${path} ${SYMLINK_REFUSAL}`);
  }
}

export function isSymlinkRefused(error: unknown): error is SymlinkRefusedError {
  return error instanceof SymlinkRefusedError;
}

/** ELOOP also means "too many links on the way": only a link as the last component is ours to name. */
function explain(error: unknown, file: string): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ELOOP') return error;
  try {
    if (lstatSync(file).isSymbolicLink()) return new SymlinkRefusedError(file);
  } catch {
    // Gone meanwhile: the original error says what happened.
  }
  return error;
}

function refuseLinkWithoutFlag(file: string): void {
  if (NOFOLLOW !== 0) return;
  let st: Stats | undefined;
  try {
    st = lstatSync(file);
  } catch {
    return; // Missing: the open says so (or creates it).
  }
  if (st.isSymbolicLink()) throw new SymlinkRefusedError(file);
}

/**
 * open(2) with O_NOFOLLOW added to `flags` (numeric, from fs.constants). A new file gets
 * `mode` exactly, whatever the umask.
 */
export function openNoFollowSync(file: string, flags: number, mode = 0o600): number {
  refuseLinkWithoutFlag(file);
  try {
    return openSync(file, flags | NOFOLLOW, mode);
  } catch (error) {
    throw explain(error, file);
  }
}

/** The file's bytes; a symbolic link is refused with SymlinkRefusedError. */
export function readFileNoFollowSync(file: string): Buffer {
  const fd = openNoFollowSync(file, constants.O_RDONLY | NONBLOCK);
  try {
    // A FIFO or a device would block or never end: only regular files are data.
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EISDIR' });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readTextNoFollowSync(file: string): string {
  return readFileNoFollowSync(file).toString('utf8');
}

/** Async twin of readFileNoFollowSync, for the outbox and the deletion queue. */
export async function readFileNoFollow(file: string): Promise<Buffer> {
  refuseLinkWithoutFlag(file);
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | NOFOLLOW | NONBLOCK);
  } catch (error) {
    throw explain(error, file);
  }
  try {
    if (!(await handle.stat()).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EISDIR' });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** True when `file` is a regular file itself (not a link to one). */
export function isRegularFileSync(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}
