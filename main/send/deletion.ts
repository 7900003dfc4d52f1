import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, writeSync } from 'node:fs';
import { readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { DeletionReceipt, DeletionRequest } from '../api.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { log } from '../util/log.js';
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from '../util/private-mode.js';
import { openNoFollowSync, readFileNoFollow } from '../util/safe-open.js';
import { deletionText } from './deletion-text.js';
import { FlushLoop, type DrainOutcome } from './flush-loop.js';
import { postGzipJson } from './upload.js';

// Deletion requests, like Glean's deletion-request ping: persisted in `dir` before the
// first attempt and retried until the collector takes them, across restarts. It is the
// one thing sent after a user revokes consent, so it has its own gate (the agent makes
// it "no operator switch is off"), and it carries nothing but the ids and a time.
//
// Layout of `dir`:
//   <13-digit ms>-<8 hex>.json                          queued, oldest first
//   rejected/<name> + rejected/<name>.reason.txt        refused by the collector (4xx)
//   corrupt/<name>                                      not a deletion request, kept
//   receipts.jsonl                                      one DeletionReceipt per delivered request, appended
//
// The receipt is the collector's answer ({ids, rows_deleted, deleted_at}, see
// docs/collector.md): the history shows "deleted on ..." from it. A line is appended
// (O_APPEND) so the agent and a CLI beside it never overwrite each other's receipts.

export interface DeletionBody {
  type: 'deletion-request';
  ids: string[];
  requested_at: string;
}

export interface DeletionQueueOptions {
  dir: string;
  endpoint: () => string | null;
  /** Checked right before each request. */
  gate: () => boolean;
  userAgent: string;
  timeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  maxRetryAfterMs?: number;
  random?: () => number;
  now?: () => Date;
  onRetryScheduled?: (delayMs: number) => void;
  onSent?: (body: DeletionBody) => void;
  /**
   * How often a started queue looks for requests it has not been told about (default
   * 60 s): one another process queued (`candor request-deletion --send` beside a running
   * agent) whose own attempt failed would otherwise wait for a settings change or a restart.
   */
  recheckMs?: number;
}

export const DEFAULT_DELETION_TIMEOUT_MS = 10_000;
export const DEFAULT_DELETION_RECHECK_MS = 60_000;
const NAME = /^\d{13}-[0-9a-f]{8}\.json$/;
export const RECEIPTS_FILE = 'receipts.jsonl';
/** The newest receipts shown; older lines stay in the file. */
const MAX_RECEIPTS = 100;
const gzipAsync = promisify(gzip);

function parseBody(text: string): DeletionBody {
  const value: unknown = JSON.parse(text);
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (v['type'] !== 'deletion-request') throw new Error('"type" is not "deletion-request"');
  const ids = v['ids'];
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new Error('"ids" is not a list of strings');
  if (typeof v['requested_at'] !== 'string') throw new Error('"requested_at" is missing');
  return { type: 'deletion-request', ids: ids as string[], requested_at: v['requested_at'] };
}

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value));
}

/** The collector's receipt from its answer; nulls when the answer holds none (another implementation). */
export function receiptFromAnswer(body: DeletionBody, answer: string, now: Date): DeletionReceipt {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(answer);
  } catch {
    parsed = null;
  }
  const r = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const rows = r['rows_deleted'];
  const ok = isIsoTime(r['deleted_at']) && typeof rows === 'number' && Number.isInteger(rows) && rows >= 0;
  return {
    requested_at: body.requested_at,
    ids: body.ids,
    deleted_at: ok ? new Date(r['deleted_at'] as string).toISOString() : null,
    rows_deleted: ok ? (rows as number) : null,
    confirmed_at: now.toISOString(),
  };
}

function parseReceipt(line: string): DeletionReceipt | null {
  try {
    const r = JSON.parse(line) as Record<string, unknown>;
    const ids = r['ids'];
    const rows = r['rows_deleted'];
    if (
      !isIsoTime(r['requested_at']) ||
      !isIsoTime(r['confirmed_at']) ||
      !Array.isArray(ids) ||
      !ids.every((id) => typeof id === 'string') ||
      !(r['deleted_at'] === null || isIsoTime(r['deleted_at'])) ||
      !(rows === null || (typeof rows === 'number' && Number.isInteger(rows) && rows >= 0))
    )
      return null;
    return {
      requested_at: r['requested_at'],
      ids: ids as string[],
      deleted_at: r['deleted_at'] as string | null,
      rows_deleted: rows as number | null,
      confirmed_at: r['confirmed_at'],
    };
  } catch {
    return null;
  }
}

export class DeletionQueue {
  private readonly loop: FlushLoop;
  private readonly timeoutMs: number;
  /** Outcome of requests made in this process, so request() can say what happened to its own. */
  private readonly outcomes = new Map<string, 'sent' | 'rejected' | 'pending'>();
  private failing = false;
  private reportedBadReceipts = false;
  private recheck: NodeJS.Timeout | null = null;

  constructor(private readonly opts: DeletionQueueOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_DELETION_TIMEOUT_MS;
    mkdirPrivateSync(opts.dir);
    this.loop = new FlushLoop({
      drain: (signal) => this.drain(signal),
      baseBackoffMs: opts.baseBackoffMs,
      maxBackoffMs: opts.maxBackoffMs,
      maxRetryAfterMs: opts.maxRetryAfterMs,
      random: opts.random,
      onRetryScheduled: opts.onRetryScheduled,
      label: 'deletion request delivery',
    });
  }

  /**
   * The text for the person, and with `send` and an endpoint, a queued request that is
   * tried once before this resolves: 'sent' if that attempt was delivered, 'queued' if it
   * will be retried. A request the collector refuses (4xx) comes back 'rejected':
   * the person has to send the text themselves.
   */
  async request(input: { ids: string[]; contact: string | null; send: boolean }): Promise<DeletionRequest> {
    const ids = [...new Set(input.ids)];
    const base = { ids, contact: input.contact, text: deletionText(ids, input.contact) };
    if (!input.send || ids.length === 0) return { ...base, delivery: 'not-requested' };
    if (this.opts.endpoint() === null) return { ...base, delivery: 'not-configured' };
    const now = (this.opts.now ?? (() => new Date()))();
    const name = `${String(now.getTime()).padStart(13, '0')}-${randomBytes(4).toString('hex')}.json`;
    const body: DeletionBody = { type: 'deletion-request', ids, requested_at: now.toISOString() };
    this.outcomes.set(name, 'pending');
    let outcome: string | undefined;
    try {
      await writeFileAtomic(join(this.opts.dir, name), `${JSON.stringify(body)}\n`);
      log.info(`deletion request for ${ids.length} instance id(s) queued`);
      await this.loop.flush();
      outcome = this.outcomes.get(name);
    } finally {
      this.outcomes.delete(name);
    }
    if (outcome === 'sent') return { ...base, delivery: 'sent' };
    if (outcome === 'rejected') return { ...base, delivery: 'rejected' };
    return { ...base, delivery: 'queued' };
  }

  /** Receipts of delivered requests, oldest first (the newest 100). Unreadable lines are skipped and logged once. */
  async receipts(): Promise<DeletionReceipt[]> {
    const file = join(this.opts.dir, RECEIPTS_FILE);
    let text: string;
    try {
      // Never through a link (util/safe-open.ts), like every file of the queue.
      text = (await readFileNoFollow(file)).toString('utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return [];
      // A directory, a link or an unreadable file in its place: moved aside, like any corrupt file.
      const aside = `${file}.corrupt-${Date.now()}`;
      await rename(file, aside).catch(() => undefined);
      log.error(`deletion receipts ${file} cannot be read (${(error as Error).message}); moved to ${aside}`);
      return [];
    }
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const receipts: DeletionReceipt[] = [];
    let bad = 0;
    for (const line of lines) {
      const receipt = parseReceipt(line);
      if (receipt === null) bad += 1;
      else receipts.push(receipt);
    }
    if (bad > 0 && !this.reportedBadReceipts) {
      this.reportedBadReceipts = true;
      log.warn(`deletion receipts ${file}: ${bad} unreadable line(s) skipped (kept in the file)`);
    }
    return receipts.slice(-MAX_RECEIPTS);
  }

  /** One line, appended (O_APPEND: the agent and a CLI beside it never overwrite each other) and fsynced. */
  private recordReceipt(receipt: DeletionReceipt): void {
    const fd = openNoFollowSync(
      join(this.opts.dir, RECEIPTS_FILE),
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
      PRIVATE_FILE_MODE,
    );
    try {
      writeSync(fd, `${JSON.stringify(receipt)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Queued requests not yet delivered. */
  async pending(): Promise<number> {
    return (await this.names()).length;
  }

  /** Try every queued request now, oldest first; stops at the first retryable failure. */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  /** The gate or the endpoint changed: abort when closed, deliver when open. */
  wake(): void {
    this.loop.wakeGated(this.opts.gate());
  }

  start(): void {
    this.loop.start();
    if (this.recheck) return;
    // A readdir a minute is cheap; wake() itself does nothing while a backoff is running.
    this.recheck = setInterval(() => {
      this.names().then(
        (names) => {
          if (names.length > 0 && this.recheck) this.wake();
        },
        () => undefined,
      );
    }, this.opts.recheckMs ?? DEFAULT_DELETION_RECHECK_MS);
    this.recheck.unref();
  }

  /** Stops retries and aborts the request in flight at once; the promise resolves when quiet. */
  stop(): Promise<void> {
    if (this.recheck) clearInterval(this.recheck);
    this.recheck = null;
    return this.loop.stop();
  }

  private async names(): Promise<string[]> {
    return (await readdir(this.opts.dir)).filter((name) => NAME.test(name)).sort();
  }

  private async drain(signal: AbortSignal): Promise<DrainOutcome> {
    for (;;) {
      if (!this.opts.gate()) return { kind: 'off' };
      const url = this.opts.endpoint();
      if (url === null) return { kind: 'off' };
      const [name] = await this.names();
      if (name === undefined) return { kind: 'done' };
      const file = join(this.opts.dir, name);
      let body: DeletionBody;
      try {
        // Never through a link (util/safe-open.ts): one is moved to corrupt/ like a bad file.
        body = parseBody((await readFileNoFollow(file)).toString('utf8'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        await this.moveAside(name, 'corrupt');
        log.error(
          `deletion request file ${file} is corrupt (${(error as Error).message}); moved to ${join(this.opts.dir, 'corrupt', name)}`,
        );
        continue;
      }
      const gz = await gzipAsync(Buffer.from(JSON.stringify(body), 'utf8'));
      if (!this.opts.gate()) return { kind: 'off' };
      const result = await postGzipJson({ url, body: gz, userAgent: this.opts.userAgent, timeoutMs: this.timeoutMs, signal });
      if (signal.aborted) return { kind: 'off' };
      if (result.kind === 'retry') {
        if (!this.failing) log.warn(`deletion request not delivered yet, will retry (${result.error})`);
        this.failing = true;
        return result.retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs: result.retryAfterMs };
      }
      this.loop.resetBackoff();
      this.failing = false;
      if (result.kind === 'delivered') {
        // Another process (agent and CLI share the queue) may have delivered and removed it too.
        await unlink(file).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        });
        if (this.outcomes.has(name)) this.outcomes.set(name, 'sent');
        const receipt = receiptFromAnswer(body, result.body, (this.opts.now ?? (() => new Date()))());
        // The deletion happened whatever becomes of this line: a failed write is logged, not retried.
        try {
          this.recordReceipt(receipt);
        } catch (error) {
          log.error(`deletion receipt not recorded in ${join(this.opts.dir, RECEIPTS_FILE)}: ${(error as Error).message}`);
        }
        log.info(
          receipt.deleted_at === null
            ? `deletion request for ${body.ids.length} instance id(s) delivered (the collector sent no receipt)`
            : `deletion request for ${body.ids.length} instance id(s) delivered: deleted on ${receipt.deleted_at} (${receipt.rows_deleted} rows)`,
        );
        this.opts.onSent?.(body);
      } else {
        mkdirPrivateSync(join(this.opts.dir, 'rejected'));
        await writeFileAtomic(join(this.opts.dir, 'rejected', `${name}.reason.txt`), `${new Date().toISOString()} ${result.error}\n`);
        await this.moveAside(name, 'rejected');
        if (this.outcomes.has(name)) this.outcomes.set(name, 'rejected');
        log.error(
          `deletion request ${name} was refused by the collector (${result.error}); moved to ${join(this.opts.dir, 'rejected', name)}, send the text yourself`,
        );
      }
    }
  }

  private async moveAside(name: string, folder: 'corrupt' | 'rejected'): Promise<void> {
    mkdirPrivateSync(join(this.opts.dir, folder));
    await rename(join(this.opts.dir, name), join(this.opts.dir, folder, name)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // moved by another process first
    });
  }
}
