import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync, fsyncSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirSync } from '../util/atomic-write.js';

// The local HMAC key for hashing names. It never leaves the machine: without it a
// hash cannot be reversed by trying a dictionary of likely names. Replacing a key
// would change every hash this install has sent, so a damaged key is an error, never
// silently regenerated.

export const KEY_FILE = 'anonymize.key';
export const KEY_BYTES = 32;

function readKey(file: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    throw new Error(`anonymizer key ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (data.length !== KEY_BYTES) {
    throw new Error(
      `anonymizer key ${file} is ${data.length} bytes, expected ${KEY_BYTES}; it is damaged. Restore it, or delete it to start new hashes (names will hash differently from then on).`,
    );
  }
  return data;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * The 32-byte key in `<dataDir>/anonymize.key`, created (mode 0600, dir 0700) on first use.
 * Creation writes a complete temp file and hard-links it into place, which fails if the
 * key already exists: two processes racing both end up reading the one key that won,
 * and no reader ever sees a half-written key.
 */
export function loadOrCreateKey(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  try {
    return readKey(file);
  } catch (error) {
    if (!isErrno((error as Error).cause, 'ENOENT')) throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = join(dataDir, `.${KEY_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (error) {
    if (!isErrno(error, 'EEXIST'))
      throw new Error(`anonymizer key ${file} cannot be created: ${(error as Error).message}`, { cause: error });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
  fsyncDirSync(dataDir);
  return readKey(file);
}
