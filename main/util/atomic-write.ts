import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PRIVATE_FILE_MODE } from './private-mode.js';

// Hand-written rather than write-file-atomic: that package needs Node >= 22 in its
// current major and does not fsync the directory, which is what makes the rename
// survive a power cut. Readers see either the old or the new file, never a torn one.
//
// The rename also means a symbolic link at `file` is replaced, never written through:
// rename(2) acts on the directory entry. The temp file is created with O_EXCL, which
// refuses any existing name, a link included. New files are 0600 (private-mode.ts)
// unless a caller asks otherwise, whatever the umask: the mode is set on the open
// descriptor after creation too.

export interface AtomicWriteOptions {
  /** The file's mode; default 0o600 (user only). */
  mode?: number;
}

function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Makes new directory entries (a rename, a link) survive a power cut. */
export function fsyncDirSync(dir: string): void {
  // Directories cannot be opened for fsync on Windows; the rename is still atomic there.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A failed write(2) names no path ("ENOSPC: no space left on device, write"): say which
 * file, so a person can tell which disk is full. The code and the cause are kept.
 */
export function namingFile(error: unknown, file: string): Error {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.message === 'string' && e.message.includes(file)) return e;
  const wrapped: NodeJS.ErrnoException = new Error(`cannot write ${file}: ${e?.message ?? String(error)}`, { cause: error });
  if (e?.code !== undefined) wrapped.code = e.code;
  return wrapped;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  try {
    await writeFileAtomicUnnamed(file, data, options);
  } catch (error) {
    throw namingFile(error, file);
  }
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  try {
    writeFileAtomicSyncUnnamed(file, data, options);
  } catch (error) {
    throw namingFile(error, file);
  }
}

async function writeFileAtomicUnnamed(file: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const tmp = tempPathFor(file);
  const mode = options.mode ?? PRIVATE_FILE_MODE;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  fsyncDirSync(dirname(file));
}

function writeFileAtomicSyncUnnamed(file: string, data: string | Uint8Array, options: AtomicWriteOptions): void {
  const tmp = tempPathFor(file);
  const mode = options.mode ?? PRIVATE_FILE_MODE;
  const fd = openSync(tmp, 'wx', mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw error;
  }
  fsyncDirSync(dirname(file));
}
