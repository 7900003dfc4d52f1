import { randomBytes } from 'node:crypto';
import { lstatSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

// The hashing key is made at each start and kept in memory only, like the instance
// id: a hash then means "equal within this report" and can never link two starts of
// one install. (Candor up to payload v1 kept one key per install in anonymize.key,
// which made every hash a pseudonym that survived restarts.)

export const KEY_BYTES = 32;

/** The file older versions kept their per-install key in. */
export const LEGACY_KEY_FILE = 'anonymize.key';

export function perStartKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Deletes the per-install key an older Candor left in the data directory: nothing
 * reads it any more, and keeping it would keep the means to recompute old hashes.
 * Returns whether a key was removed. A symlink in its place is removed, never followed.
 */
export function removeLegacyKey(dataDir: string): boolean {
  const file = join(dataDir, LEGACY_KEY_FILE);
  try {
    lstatSync(file);
  } catch {
    return false;
  }
  unlinkSync(file);
  return true;
}
