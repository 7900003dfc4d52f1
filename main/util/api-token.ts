import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';

export const TOKEN_FILE = 'api-token';

/** A fresh random token per start, in a user-only file so only this user's processes can read it. */
export function createApiToken(dataDir: string): string {
  const token = randomBytes(24).toString('hex');
  writeFileAtomicSync(join(dataDir, TOKEN_FILE), `${token}\n`, { mode: 0o600 });
  return token;
}

export function readApiToken(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
