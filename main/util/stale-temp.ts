import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

// util/atomic-write.ts writes `.<name>.<pid>.<hex>.tmp` and renames it over the file.
// A writer killed before the rename leaves the temp file behind, but another process
// on the same data directory (a CLI command beside the running agent) may be in the
// middle of such a write right now: only a temp file older than a minute is abandoned.
export const STALE_TEMP_MS = 60_000;

/** Temp files of atomic writes in `dir`: never renamed, so never a real file. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Removes abandoned temp files from `dir` (those `isTemp` recognises, default: ours);
 * returns how many went.
 */
export function removeStaleTempFiles(
  dir: string,
  now: number = Date.now(),
  maxAgeMs: number = STALE_TEMP_MS,
  isTemp: (name: string) => boolean = isTempName,
): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0; // No directory, no torn writes.
  }
  let removed = 0;
  for (const name of names) {
    if (!isTemp(name)) continue;
    const path = join(dir, name);
    try {
      if (now - lstatSync(path).mtimeMs < maxAgeMs) continue;
      unlinkSync(path);
      removed += 1;
    } catch {
      // Renamed or removed by its writer meanwhile, or not ours to remove: ignored by readers either way.
    }
  }
  return removed;
}
