import { existsSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { log } from '../util/log.js';
import { removeStaleTempFiles, STALE_TEMP_MS } from '../util/stale-temp.js';

/**
 * Moves a corrupt or unusable settings file aside as settings.corrupt-<timestamp>.json
 * (same directory, original bytes kept for the person to inspect) and logs it once.
 * Returns the new path, or null when another process moved it first.
 */
export function quarantineSettingsFile(file: string, reason: string, now: Date = new Date()): string | null {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  const dir = dirname(file);
  const stem = basename(file).replace(/\.json$/, '');
  let target = join(dir, `${stem}.corrupt-${stamp}.json`);
  for (let n = 1; existsSync(target); n++) target = join(dir, `${stem}.corrupt-${stamp}-${n}.json`);
  try {
    renameSync(file, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  log.warn(
    `settings file ${file} could not be used (${reason}); moved it to ${target}; nothing is sent until you answer the consent question again`,
  );
  return target;
}

// conf writes through `atomically` (<file>.tmp-<16 chars>), util/atomic-write through
// .<file>.<pid>.<hex>.tmp; both rename over the file. A writer killed before the rename
// leaves its temp file behind; one older than a minute is not in flight any more.
export function purgeStaleTempFiles(file: string, now: number = Date.now()): number {
  const name = basename(file);
  const isTemp = (candidate: string): boolean =>
    candidate.startsWith(`${name}.tmp-`) || (candidate.startsWith(`.${name}.`) && candidate.endsWith('.tmp'));
  return removeStaleTempFiles(dirname(file), now, STALE_TEMP_MS, isTemp);
}
