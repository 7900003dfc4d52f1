import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync, fstatSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEntry } from '../api.js';
import { writeFileAtomic, writeFileAtomicSync } from '../util/atomic-write.js';
import { log } from '../util/log.js';
import { Serial } from './serial.js';

// The sent-history ledger: what left this machine, for the person at the keyboard.
//
// Layout of `dir`:
//   history.jsonl          one HistoryEntry (without body_kept) per line, append-only
//   bodies/<sha256>.json   the last `keepBodies` delivered bodies, for viewing
//   ids.json               every instance id ever sent under
//
// ids.json is separate and survives clear(): forgetting the history must not forget
// which ids a deletion request has to name, or clearing the list would make the data
// already at the collector impossible to delete.

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
  if (typeof time !== 'string' || typeof instance_id !== 'string' || typeof details_level !== 'number' || typeof bytes !== 'number' || typeof sha256 !== 'string' || !SHA256.test(sha256)) {
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
  private knownIds: string[];

  constructor(opts: LedgerOptions) {
    this.file = join(opts.dir, 'history.jsonl');
    this.bodiesDir = join(opts.dir, 'bodies');
    this.idsFile = join(opts.dir, 'ids.json');
    this.keepBodies = Math.max(0, opts.keepBodies ?? DEFAULT_KEEP_BODIES);
    mkdirSync(this.bodiesDir, { recursive: true });
    this.knownIds = this.loadIds();
  }

  /** Records a delivered report; `body` is the uncompressed JSON that was sent. */
  append(entry: StoredEntry, body: string): Promise<HistoryEntry> {
    const stored: StoredEntry = { time: entry.time, instance_id: entry.instance_id, details_level: entry.details_level, bytes: entry.bytes, sha256: entry.sha256 };
    return this.serial.run(async () => {
      // Body first: a crash before the line leaves an orphan body, which the next prune removes.
      if (this.keepBodies > 0) await writeFileAtomic(join(this.bodiesDir, `${stored.sha256}.json`), body);
      this.appendLine(`${JSON.stringify(stored)}\n`);
      if (!this.knownIds.includes(stored.instance_id)) {
        this.knownIds = [...this.knownIds, stored.instance_id];
        writeFileAtomicSync(this.idsFile, `${JSON.stringify(this.knownIds)}\n`);
      }
      this.pruneBodies();
      return { ...stored, body_kept: this.keepBodies > 0 };
    });
  }

  /** Delivered reports, newest first. */
  list(): HistoryEntry[] {
    return this.readEntries()
      .reverse()
      .map((entry) => ({ ...entry, body_kept: existsSync(this.bodyFile(entry.sha256)) }));
  }

  /** A kept body (the JSON that was sent), or null. */
  body(sha256: string): string | null {
    if (!SHA256.test(sha256)) return null;
    try {
      return readFileSync(this.bodyFile(sha256), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Forgets the history and its bodies; returns how many entries went. Instance ids are kept (see above). */
  clear(): number {
    const count = this.readEntries().length;
    writeFileAtomicSync(this.file, '');
    for (const name of readdirSync(this.bodiesDir)) unlinkSync(join(this.bodiesDir, name));
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

  private readEntries(): StoredEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
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
    const fd = openSync(this.file, 'a+');
    try {
      const size = fstatSync(fd).size;
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
      if (name.startsWith('.')) continue; // a concurrent atomic write's temp file
      const sha = name.replace(/\.json$/, '');
      if (!keep.has(sha)) unlinkSync(join(this.bodiesDir, name));
    }
  }

  private loadIds(): string[] {
    let text: string | null = null;
    try {
      text = readFileSync(this.idsFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== null) {
      try {
        const value: unknown = JSON.parse(text);
        if (Array.isArray(value) && value.every((id) => typeof id === 'string')) return value as string[];
        throw new Error('not an array of strings');
      } catch (error) {
        const aside = `${this.idsFile}.corrupt-${Date.now()}`;
        renameSync(this.idsFile, aside);
        log.error(`instance id file ${this.idsFile} is corrupt (${(error as Error).message}); moved to ${aside} and rebuilt from ${this.file}`);
      }
    }
    // Missing or corrupt: the ledger lines still name every id not cleared since.
    const ids = [...new Set(this.readEntries().map((entry) => entry.instance_id))];
    if (ids.length > 0) writeFileAtomicSync(this.idsFile, `${JSON.stringify(ids)}\n`);
    return ids;
  }
}
