import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../main/util/atomic-write.js';
import { log } from '../main/util/log.js';

// The admin token when the operator set none: made once, kept in a user-only file in
// the collector's data dir, and reused at the next start (a dashboard bookmark and the
// operator's scripts keep working). A file that does not hold a usable token is moved
// aside, never silently replaced.

export const ADMIN_TOKEN_FILE = 'admin-token';
const TOKEN = /^[\x21-\x7e]{16,256}$/;

export function adminTokenFromFile(dir: string): { token: string; file: string; created: boolean } {
  const file = join(dir, ADMIN_TOKEN_FILE);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read the admin token file ${file}: ${(error as Error).message}`);
  }
  if (text !== null && TOKEN.test(text) && (process.platform === 'win32' || (statSync(file).mode & 0o077) === 0)) {
    return { token: text, file, created: false };
  }
  if (text !== null) {
    const aside = `${file}.unusable-${Date.now()}`;
    renameSync(file, aside);
    log.warn(`collector: ${file} did not hold a usable token or was readable by others; moved to ${aside}, made a new one`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('hex');
  writeFileAtomicSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file, created: true };
}
