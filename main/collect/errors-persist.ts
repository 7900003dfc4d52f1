import { renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { ERROR_KINDS, ERROR_SOURCES, type RecordedError, type RecordedErrors } from './error-records.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { log } from '../util/log.js';
import { createPrivateDirsSync } from '../util/private-mode.js';
import { isSymlinkRefused, readTextNoFollowSync } from '../util/safe-open.js';

// The crash file: the error list written synchronously as an uncaught exception takes
// the process down, read (and removed) by the next start so the crash gets reported.
// A passive reader (a CLI command) reads it without removing or moving it: only the
// process that reports errors may consume it. It holds raw messages and stacks, so it
// is user-only (0600), and it is never read through a symbolic link: a link in its
// place is moved aside like a corrupt file (the rename moves the link, not its target).

const FORMAT = 'candor-errors-v1';

interface PersistFile {
  format: typeof FORMAT;
  captured: RecordedError[];
  dropped: number;
}

export function writePersistedSync(file: string, section: RecordedErrors): void {
  createPrivateDirsSync(dirname(file));
  const body: PersistFile = { format: FORMAT, captured: section.captured, dropped: section.dropped };
  writeFileAtomicSync(file, `${JSON.stringify(body)}\n`, { mode: 0o600 });
}

/** Nothing pending any more: the file goes (a missing one is fine). */
export function removePersisted(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export interface LoadPersistedOptions {
  /** Remove the file once read, and move a corrupt one aside (default true). False leaves the file as it is. */
  consume?: boolean;
}

/**
 * Reads the crash file and, when consuming, removes it. Missing: undefined. Corrupt:
 * undefined, and when consuming it is moved aside to `<file>.corrupt-<timestamp>`
 * (never deleted: it may be the only trace of a crash).
 */
export function loadPersisted(file: string, now: Date, options: LoadPersistedOptions = {}): RecordedErrors | undefined {
  const consume = options.consume ?? true;
  let section: RecordedErrors;
  try {
    let text: string;
    try {
      text = readTextNoFollowSync(file);
    } catch (error) {
      if (isSymlinkRefused(error)) throw error; // handled below like corrupt content
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`cannot read error persist file ${file}: ${String(error)}`);
      return undefined;
    }
    section = parsePersisted(text);
  } catch (error) {
    const problem = isSymlinkRefused(error) ? 'cannot be used' : 'is corrupt';
    if (!consume) {
      log.warn(`error persist file ${file} ${problem} (${(error as Error).message}); left for the agent to move aside`);
      return undefined;
    }
    const aside = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(file, aside);
      log.warn(`error persist file ${file} ${problem} (${(error as Error).message}); moved it to ${aside}`);
    } catch (renameError) {
      log.error(
        `error persist file ${file} ${problem} (${(error as Error).message}) and could not be moved to ${aside}: ${String(renameError)}`,
      );
    }
    return undefined;
  }
  if (!consume) return section;
  try {
    unlinkSync(file);
  } catch (error) {
    log.warn(`cannot remove error persist file ${file} after reading it (its errors may be reported twice): ${String(error)}`);
  }
  return section;
}

const SOURCES: readonly string[] = ERROR_SOURCES;
const KINDS: readonly string[] = ERROR_KINDS;

function parsePersisted(text: string): RecordedErrors {
  const data: unknown = JSON.parse(text);
  if (!isRecord(data) || data['format'] !== FORMAT) throw new Error(`not a ${FORMAT} file`);
  const { captured, dropped } = data;
  if (!Array.isArray(captured)) throw new Error('captured is not an array');
  if (!isCount(dropped)) throw new Error('dropped is not a non-negative integer');
  return { captured: captured.map((item: unknown, i) => parseCaptured(item, i)), dropped };
}

function parseCaptured(item: unknown, i: number): RecordedError {
  if (!isRecord(item)) throw new Error(`captured[${i}] is not an object`);
  const str = (key: string): string => {
    const v = item[key];
    if (typeof v !== 'string') throw new Error(`captured[${i}].${key} is not a string`);
    return v;
  };
  const source = str('source');
  const kind = str('kind');
  if (!SOURCES.includes(source)) throw new Error(`captured[${i}].source is not main, renderer or app`);
  if (!KINDS.includes(kind)) throw new Error(`captured[${i}].kind is not a known kind`);
  const count = item['count'];
  if (!isCount(count) || count < 1) throw new Error(`captured[${i}].count is not a positive integer`);
  const time = (key: string): string => {
    const v = str(key);
    if (Number.isNaN(Date.parse(v))) throw new Error(`captured[${i}].${key} is not a date`);
    return v;
  };
  return {
    fingerprint: str('fingerprint'),
    source: source as RecordedError['source'],
    kind: kind as RecordedError['kind'],
    type: str('type'),
    code: codeOf(item['code'], i),
    message: str('message'),
    stack: str('stack'),
    count,
    first_seen: time('first_seen'),
    last_seen: time('last_seen'),
  };
}

/** Files written before codes were recorded have none. */
function codeOf(v: unknown, i: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new Error(`captured[${i}].code is not a string or null`);
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
