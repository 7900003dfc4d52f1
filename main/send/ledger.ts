import { closeSync, constants, fchmodSync, fsyncSync, readdirSync, renameSync, unlinkSync, writeSync, fstatSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEntry } from '../api.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { log } from '../util/log.js';
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from '../util/private-mode.js';
import { isRegularFileSync, openNoFollowSync, readTextNoFollowSync } from '../util/safe-open.js';
import { Serial } from './serial.js';
import { isTempName, removeStaleTempFiles } from '../util/stale-temp.js';

// The sent-history ledger: what left this machine, for the person at the keyboard.
//
// Layout of `dir`:
//   history.jsonl          one HistoryEntry (without body_kept) per line, append-only
//   bodies/<sha256>.json   the last `keepBodies` delivered bodies, for viewing
//   ids.json               every instance id ever sent under
//
// ids.json is separate and survives clear(): forgetting the history must not forget
// which ids a deletion request has to name, or clearing the list would make the data
// already at the collector impossible to delete. For the same reason an id is written
// there (and synced) before a report under it is queued (recordIdDurably), a delivery
// records its id again before anything else, and the history lines back ids.json up:
// at start the ids are the union of both, so an id whose ids.json write failed at a
// delivery is not lost.
//
// Every file here is opened without following links (util/safe-open.ts) and created
// 0600 in 0700 folders (util/private-mode.ts).
//
// A file that cannot be read (a directory in its place, no permission) is treated like
// corrupt content: moved aside as <name>.corrupt-<ms> with one log line, and the agent
// runs on without it.

export interface LedgerOptions {
  dir: string;
  /** How many of the newest bodies to keep (default 20). */
  keepBodies?: number;
}

export const DEFAULT_KEEP_BODIES = 20;
const SHA256 = /^[0-9a-f]{64}$/;

type StoredEntry = Omit<HistoryEntry, 'body_kept'>;

function parseEntry(line: string): StoredEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const { time, instance_id, details_level, bytes, sha256 } = v;
  if (
    typeof time !== 'string' ||
    typeof instance_id !== 'string' ||
    typeof details_level !== 'number' ||
    typeof bytes !== 'number' ||
    typeof sha256 !== 'string' ||
    !SHA256.test(sha256)
  ) {
    return null;
  }
  return { time, instance_id, details_level, bytes, sha256 };
}

export class Ledger {
  readonly file: string;
  private readonly bodiesDir: string;
  private readonly idsFile: string;
  private readonly keepBodies: number;
  private readonly serial = new Serial();
  /** Corrupt lines already logged, so list() does not repeat itself. */
  private readonly reported = new Set<number>();
  /** Unreadable files already logged (when they could not even be moved aside). */
  private readonly unreadable = new Set<string>();
  private knownIds: string[];
  /** False while an id is known in memory but ids.json could not be written. */
  private idsSaved = true;

  constructor(opts: LedgerOptions) {
    this.file = join(opts.dir, 'history.jsonl');
    this.bodiesDir = join(opts.dir, 'bodies');
    this.idsFile = join(opts.dir, 'ids.json');
    this.keepBodies = Math.max(0, opts.keepBodies ?? DEFAULT_KEEP_BODIES);
    mkdirPrivateSync(opts.dir);
    mkdirPrivateSync(this.bodiesDir);
    removeStaleTempFiles(opts.dir);
    removeStaleTempFiles(this.bodiesDir);
    this.knownIds = this.loadIds();
  }

  /** Records a delivered report; `body` is the uncompressed JSON that was sent. */
  append(entry: StoredEntry, body: string): Promise<HistoryEntry> {
    const stored: StoredEntry = {
      time: entry.time,
      instance_id: entry.instance_id,
      details_level: entry.details_level,
      bytes: entry.bytes,
      sha256: entry.sha256,
    };
    // Synchronous inside the queue on purpose: clear() (synchronous, part of the API)
    // then runs either before or after a whole append, never between its steps.
    return this.serial.run(async () => {
      // The id first: whatever fails after this, a deletion request still names it.
      let idsError: Error | null = null;
      try {
        this.recordId(stored.instance_id);
      } catch (error) {
        idsError = error as Error;
      }
      // The body is only for viewing: a full disk must not cost the history line.
      let kept = false;
      if (this.keepBodies > 0) {
        try {
          writeFileAtomicSync(this.bodyFile(stored.sha256), body);
          kept = true;
        } catch (error) {
          log.warn(
            `sent-history body ${this.bodyFile(stored.sha256)} could not be written (${(error as Error).message}); the entry is recorded without it`,
          );
        }
      }
      this.appendLine(`${JSON.stringify(stored)}\n`);
      if (idsError)
        log.warn(
          `instance id file ${this.idsFile} could not be written (${idsError.message}); the id is kept in ${this.file} and written again at the next delivery`,
        );
      this.pruneBodies();
      return { ...stored, body_kept: kept };
    });
  }

  /**
   * Write-ahead record of an instance id: when this returns, ids.json names `id` and is
   * synced to disk (file and folder). Call it before a report under `id` is queued; when
   * it throws (a full disk), queue nothing: data must not leave under an id that no
   * deletion request could name. Costs nothing once the id is on disk.
   */
  recordIdDurably(id: string): void {
    const known = this.knownIds.includes(id);
    if (known && this.idsSaved) return;
    const next = known ? this.knownIds : [...this.knownIds, id];
    // Memory changes only after the write: a failed record leaves no id that nothing was sent under.
    writeFileAtomicSync(this.idsFile, `${JSON.stringify(next)}\n`);
    this.knownIds = next;
    this.idsSaved = true;
  }

  /** Delivered reports, newest first. */
  list(): HistoryEntry[] {
    return this.readEntries()
      .reverse()
      .map((entry) => ({ ...entry, body_kept: isRegularFileSync(this.bodyFile(entry.sha256)) }));
  }

  /** A kept body (the JSON that was sent), or null. */
  body(sha256: string): string | null {
    if (!SHA256.test(sha256)) return null;
    try {
      return readTextNoFollowSync(this.bodyFile(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Forgets the history and its bodies; returns how many entries went. Instance ids are kept (see above). */
  clear(): number {
    const count = this.readEntries().length;
    writeFileAtomicSync(this.file, '');
    for (const name of readdirSync(this.bodiesDir)) {
      // A temp file is a write in progress, maybe another process's: removing it would fail that write.
      if (isTempName(name)) continue;
      unlinkIfPresent(join(this.bodiesDir, name));
    }
    this.reported.clear();
    return count;
  }

  /** Every distinct instance id reports were delivered under, oldest first. */
  ids(): string[] {
    return [...this.knownIds];
  }

  private bodyFile(sha256: string): string {
    return join(this.bodiesDir, `${sha256}.json`);
  }

  /** After data left under `id`: recorded like recordIdDurably, and known in memory even when the write fails. */
  private recordId(id: string): void {
    try {
      this.recordIdDurably(id);
    } catch (error) {
      if (!this.knownIds.includes(id)) this.knownIds = [...this.knownIds, id];
      this.idsSaved = false;
      throw error;
    }
  }

  private readEntries(): StoredEntry[] {
    let text: string;
    try {
      text = readTextNoFollowSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.moveAside(this.file, 'sent-history ledger', `could not be read (${(error as Error).message})`, 'the history starts empty');
      return [];
    }
    const entries: StoredEntry[] = [];
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      const entry = parseEntry(line);
      if (entry) {
        entries.push(entry);
      } else if (!this.reported.has(index + 1)) {
        this.reported.add(index + 1);
        log.warn(`sent-history ledger ${this.file} line ${index + 1} is not a valid entry; skipped (the file is kept as it is)`);
      }
    });
    return entries;
  }

  /** Appends and syncs; a line torn by a crash is closed first so it spoils only itself. */
  private appendLine(line: string): void {
    const fd = openNoFollowSync(this.file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, PRIVATE_FILE_MODE);
    try {
      const st = fstatSync(fd);
      // Created 0600 above; an older Candor's 0644 file is tightened here too.
      if ((st.mode & 0o777) !== PRIVATE_FILE_MODE && process.platform !== 'win32') fchmodSync(fd, PRIVATE_FILE_MODE);
      const size = st.size;
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      writeSync(fd, prefix + line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private pruneBodies(): void {
    const keep = new Set<string>();
    for (const entry of this.readEntries().reverse()) {
      if (keep.size >= this.keepBodies) break;
      keep.add(entry.sha256);
    }
    for (const name of readdirSync(this.bodiesDir)) {
      if (isTempName(name)) continue; // a concurrent atomic write's temp file
      const sha = name.replace(/\.json$/, '');
      if (!keep.has(sha)) unlinkIfPresent(join(this.bodiesDir, name));
    }
  }

  private loadIds(): string[] {
    let stored: string[] = [];
    let rewrite = false;
    let text: string | null = null;
    try {
      text = readTextNoFollowSync(this.idsFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.moveAside(this.idsFile, 'instance id file', `could not be read (${(error as Error).message})`, `rebuilt from ${this.file}`);
        rewrite = true;
      }
    }
    if (text !== null) {
      try {
        const value: unknown = JSON.parse(text);
        if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) throw new Error('not an array of strings');
        stored = value as string[];
      } catch (error) {
        this.moveAside(this.idsFile, 'instance id file', `is corrupt (${(error as Error).message})`, `rebuilt from ${this.file}`);
        rewrite = true;
      }
    }
    // The ledger lines name every id not cleared since, including one whose ids.json write failed.
    const ids = [...new Set([...stored, ...this.readEntries().map((entry) => entry.instance_id)])];
    if (ids.length > stored.length || (rewrite && ids.length > 0)) {
      try {
        writeFileAtomicSync(this.idsFile, `${JSON.stringify(ids)}\n`);
      } catch (error) {
        // Kept in memory and retried at the next delivery; the history lines still hold them.
        this.idsSaved = false;
        log.warn(`instance id file ${this.idsFile} could not be written (${(error as Error).message}); retried at the next delivery`);
      }
    }
    return ids;
  }

  /** Puts an unusable file out of the way, once, with one log line naming it. */
  private moveAside(file: string, what: string, problem: string, consequence: string): void {
    const aside = `${file}.corrupt-${Date.now()}`;
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another process moved it first
      if (this.unreadable.has(file)) return;
      this.unreadable.add(file);
      log.error(`${what} ${file} ${problem} and could not be moved aside (${(error as Error).message}); ${consequence}`);
      return;
    }
    log.error(`${what} ${file} ${problem}; moved to ${aside}, ${consequence}`);
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // removed by another process: fine
  }
}
