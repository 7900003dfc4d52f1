import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';
import { isSymlinkRefused, readTextNoFollowSync } from './safe-open.js';

export const TOKEN_FILE = 'api-token';

/** A fresh random token per start, in a user-only file so only this user's processes can read it. */
export function createApiToken(dataDir: string): string {
  const token = randomBytes(24).toString('hex');
  // The rename replaces whatever is at the name, a planted link included: the token is never written through one.
  writeFileAtomicSync(join(dataDir, TOKEN_FILE), `${token}\n`, { mode: 0o600 });
  return token;
}

/** The running agent's token, or null when there is none; a link in its place is refused with its path. */
export function readApiToken(dataDir: string): string | null {
  try {
    return readTextNoFollowSync(join(dataDir, TOKEN_FILE)).trim() || null;
  } catch (error) {
    // A token read through a planted link would send some other file's contents as a bearer token.
    if (isSymlinkRefused(error)) throw error;
    return null;
  }
}
