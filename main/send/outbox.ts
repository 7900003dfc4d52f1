import { randomBytes } from 'node:crypto';
import { lstat, readdir, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { writeFileAtomic } from '../util/atomic-write.js';
import { log } from '../util/log.js';
import { mkdirPrivateSync } from '../util/private-mode.js';
import { isSymlinkRefused, readFileNoFollow, SymlinkRefusedError } from '../util/safe-open.js';
import { DroppedCounter } from './dropped-counter.js';
import { reportMeta } from './report-meta.js';
import { Serial } from './serial.js';
import { removeStaleTempFiles } from '../util/stale-temp.js';

// The disk outbox: every report is written here (gzip JSON, one file per report,
// atomic write) before any attempt to send it, so a crash, a reboot or a week
// offline loses nothing but what the bounds drop. One agent per directory.
//
// Layout of `dir`:
//   <13-digit ms>-<6-digit seq>-<8 hex>.json.gz   pending reports; names sort oldest first
//   state.json                                      dropped-report counter (dropped-counter.ts)
//   rejected/<name> + rejected/<id>.reason.txt      reports the collector refused (4xx)
//   corrupt/<name>                                  files that were not gzip JSON, kept for a human
//
// Files are 0600 in 0700 folders and read without following links (util/safe-open.ts):
// a link under a report's name is never sent; it is moved to corrupt/ like a bad file.

export interface OutboxEntry {
  id: string;
  file: string;
  createdAt: string;
  /** Size of the gzip file: what goes on the wire. */
  bytes: number;
}

export interface OutboxOptions {
  dir: string;
  maxCount?: number;
  maxBytes?: number;
}

export const DEFAULT_MAX_COUNT = 100;
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

const NAME = /^(\d{13})-(\d{6})-([0-9a-f]{8})\.json\.gz$/;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export class Outbox {
  readonly dir: string;
  readonly maxCount: number;
  readonly maxBytes: number;
  private readonly rejectedDir: string;
  private readonly corruptDir: string;
  private readonly counter: DroppedCounter;
  private readonly serial = new Serial();
  private seq = 0;
  private inFlight: string | null = null;
  /** Names of non-files already logged, so list() does not repeat itself. */
  private readonly notFiles = new Set<string>();

  constructor(opts: OutboxOptions) {
    this.dir = opts.dir;
    this.maxCount = Math.max(1, opts.maxCount ?? DEFAULT_MAX_COUNT);
    this.maxBytes = Math.max(1, opts.maxBytes ?? DEFAULT_MAX_BYTES);
    this.rejectedDir = join(this.dir, 'rejected');
    this.corruptDir = join(this.dir, 'corrupt');
    mkdirPrivateSync(this.dir);
    // Only abandoned ones: another process opening this directory (a CLI command beside
    // the running agent) must not delete the agent's write in progress.
    removeStaleTempFiles(this.dir);
    this.counter = new DroppedCounter(join(this.dir, 'state.json'), this.dir, this.corruptDir);
  }

  /** Reports dropped from the full outbox that no stored report carries yet: put it in the next payload. */
  droppedCount(): number {
    return this.counter.value();
  }

  /**
   * Stores a report (the payload JSON). Throws when `json` is not a JSON object: that
   * is a bug in the caller, not data to send. May drop the oldest reports to stay
   * within the bounds; the newest report is always kept.
   */
  async add(json: string): Promise<OutboxEntry> {
    const meta = reportMeta(json);
    const body = await gzipAsync(Buffer.from(json, 'utf8'));
    return this.serial.run(async () => {
      // Room is made before the write, not after: a kill between the write and a trim
      // would leave one report over the bound, and kills in a row would pile them up.
      await this.enforceBounds(null, { count: 1, bytes: body.length });
      const id = this.nextId();
      const name = `${id}.json.gz`;
      this.counter.claim(name, meta.droppedReports);
      try {
        await writeFileAtomic(join(this.dir, name), body);
      } catch (error) {
        this.counter.undoClaim();
        throw error;
      }
      this.counter.settle();
      const entry = this.entryFor(name, body.length);
      await this.enforceBounds(entry.id);
      return entry;
    });
  }

  /** Pending reports, oldest first. */
  async list(): Promise<OutboxEntry[]> {
    const names = (await readdir(this.dir)).filter((name) => NAME.test(name)).sort();
    const entries: OutboxEntry[] = [];
    for (const name of names) {
      try {
        const st = await lstat(join(this.dir, name));
        if (st.isFile()) entries.push(this.entryFor(name, st.size));
        else this.logNotFile(name, st.isSymbolicLink());
      } catch (error) {
        if (!isMissing(error)) throw error; // delivered or dropped meanwhile
      }
    }
    return entries;
  }

  /** The stored gzip body, exactly as it will be sent. A link in its place is refused (SymlinkRefusedError). */
  read(entry: OutboxEntry): Promise<Buffer> {
    return readFileNoFollow(entry.file);
  }

  /** Delivered: forget it. */
  remove(entry: OutboxEntry): Promise<void> {
    return this.serial.run(async () => {
      await unlink(entry.file).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    });
  }

  /** Refused by the collector: moved to rejected/ with a `.reason.txt` beside it; the drops it carried return. */
  reject(entry: OutboxEntry, reason: string): Promise<void> {
    return this.serial.run(async () => {
      const carried = await this.carriedDrops(entry);
      if (carried === null) return;
      mkdirPrivateSync(this.rejectedDir);
      const reasonFile = join(this.rejectedDir, `${entry.id}.reason.txt`);
      await writeFileAtomic(reasonFile, `${new Date().toISOString()} ${reason}\n`);
      const target = join(this.rejectedDir, `${entry.id}.json.gz`);
      this.counter.intendReturn(basename(entry.file), carried);
      await rename(entry.file, target);
      this.counter.settleReturn();
      log.warn(`telemetry endpoint rejected report ${entry.id} (${reason}); moved to ${target}, not retried`);
      await this.pruneRejected();
    });
  }

  /** Not gzip JSON: moved to corrupt/ and named in the log, never deleted. */
  quarantine(entry: OutboxEntry, reason: string): Promise<void> {
    return this.serial.run(() => this.moveToCorrupt(entry, reason));
  }

  /** Removes every pending report (e.g. consent revoked); returns how many. */
  clear(): Promise<number> {
    return this.serial.run(async () => {
      const entries = await this.list();
      for (const entry of entries) await unlink(entry.file).catch(() => undefined);
      return entries.length;
    });
  }

  /** The sender marks the report it is sending so a full outbox does not drop it mid-request. */
  setInFlight(entry: OutboxEntry | null): void {
    this.inFlight = entry?.id ?? null;
  }

  private nextId(): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return `${String(Date.now()).padStart(13, '0')}-${String(this.seq).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
  }

  private entryFor(name: string, bytes: number): OutboxEntry {
    const match = NAME.exec(name);
    const id = name.slice(0, -'.json.gz'.length);
    return { id, file: join(this.dir, name), createdAt: new Date(Number(match?.[1] ?? 0)).toISOString(), bytes };
  }

  /** Drops carried by a stored report, or null if it is corrupt (then it is moved to corrupt/). */
  private async carriedDrops(entry: OutboxEntry): Promise<number | null> {
    let gz: Buffer;
    try {
      gz = await readFileNoFollow(entry.file);
    } catch (error) {
      if (isMissing(error)) return null;
      if (!isSymlinkRefused(error)) throw error;
      await this.moveToCorrupt(entry, error.message);
      return null;
    }
    try {
      return reportMeta((await gunzipAsync(gz)).toString('utf8')).droppedReports;
    } catch (error) {
      await this.moveToCorrupt(entry, (error as Error).message);
      return null;
    }
  }

  /** Drops the oldest reports until the outbox, plus `reserve` about to be written, is within its bounds. */
  private async enforceBounds(keepId: string | null, reserve = { count: 0, bytes: 0 }): Promise<void> {
    const entries = await this.list();
    let bytes = entries.reduce((sum, entry) => sum + entry.bytes, 0) + reserve.bytes;
    let count = entries.length + reserve.count;
    let dropped = 0;
    for (const entry of entries) {
      if (count <= this.maxCount && bytes <= this.maxBytes) break;
      if (entry.id === keepId || entry.id === this.inFlight) continue;
      const carried = await this.carriedDrops(entry);
      count -= 1;
      bytes -= entry.bytes;
      if (carried === null) continue; // moved to corrupt/ (and logged), not a dropped report
      // Announced before the file goes, so a crash in between still counts this drop.
      this.counter.intendReturn(basename(entry.file), 1 + carried);
      await unlink(entry.file).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
      this.counter.settleReturn();
      dropped += 1;
    }
    if (dropped > 0) {
      log.warn(
        `telemetry outbox ${this.dir} full (limits ${this.maxCount} reports, ${this.maxBytes} bytes): dropped the ${dropped} oldest report(s), ${this.counter.value()} dropped in all`,
      );
    }
  }

  private async moveToCorrupt(entry: OutboxEntry, reason: string): Promise<void> {
    mkdirPrivateSync(this.corruptDir);
    const target = join(this.corruptDir, `${entry.id}.json.gz`);
    try {
      await rename(entry.file, target);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    log.error(`telemetry outbox file ${entry.file} is corrupt (${reason}); moved to ${target}`);
  }

  /** A link or a folder under a report's name: never sent, said once; the next start refuses it (util/data-dir.ts). */
  private logNotFile(name: string, link: boolean): void {
    if (this.notFiles.has(name)) return;
    this.notFiles.add(name);
    const path = join(this.dir, name);
    log.error(`telemetry outbox entry ${link ? new SymlinkRefusedError(path).message : `${path} is not a file`}; not sent`);
  }

  private async pruneRejected(): Promise<void> {
    const names = (await readdir(this.rejectedDir)).filter((name) => NAME.test(name)).sort();
    // Keep as many as the outbox holds: enough to diagnose, bounded even if every report is refused.
    for (const name of names.slice(0, Math.max(0, names.length - this.maxCount))) {
      const id = name.slice(0, -'.json.gz'.length);
      await unlink(join(this.rejectedDir, name)).catch(() => undefined);
      await unlink(join(this.rejectedDir, `${id}.reason.txt`)).catch(() => undefined);
    }
  }
}
