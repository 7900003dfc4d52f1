import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SymlinkRefusedError } from './safe-open.js';

// Everything Candor keeps is for the user running it: files 0600, folders 0700. The
// umask only ever removes bits from the mode a creation asks for, so asking for these
// modes is enough under umask 022 or 000; the chmod after it makes an odd umask (0277)
// not leave a folder Candor itself cannot write.

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` and its missing parents as 0700; an existing folder (or a link to one) is left as it is. */
export function createPrivateDirsSync(dir: string): void {
  const target = resolve(dir);
  const first = mkdirSync(target, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  const top = resolve(first);
  for (let current = target; ; current = dirname(current)) {
    chmodSync(current, PRIVATE_DIR_MODE);
    if (current === top || dirname(current) === current) break;
  }
}

/**
 * A folder inside the data directory: created 0700 with its missing parents. An
 * existing one keeps its mode (ensureSafeDataDir judges those at start) but must be a
 * real folder, not a link to one.
 */
export function mkdirPrivateSync(dir: string): void {
  createPrivateDirsSync(dir);
  if (lstatSync(dir).isSymbolicLink()) throw new SymlinkRefusedError(resolve(dir));
}
