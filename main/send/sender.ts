import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { HistoryEntry } from '../api.js';
import { log } from '../util/log.js';
import { DEFAULT_MAX_RETRY_AFTER_MS, FlushLoop, type DrainOutcome } from './flush-loop.js';
import type { Ledger } from './ledger.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { reportMeta, type ReportMeta } from './report-meta.js';
import { postGzipJson, type UploadResult } from './upload.js';

export type DeliveryState = 'idle' | 'ok' | 'retrying' | 'off';

export interface SenderOptions {
  outbox: Outbox;
  ledger: Ledger;
  /** Read before each request, so a config change applies to the next one. */
  endpoint: () => string | null;
  /** Checked right before each request; while it says no, no socket is opened and no name resolved. */
  gate: () => { sending: boolean };
  userAgent: string;
  timeoutMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Cap on a collector's Retry-After (default 1 h). */
  maxRetryAfterMs?: number;
  random?: () => number;
  onDelivered?: (entry: HistoryEntry) => void;
  onStateChange?: (state: DeliveryState) => void;
  /** Duration of each HTTP attempt, in ms (for the performance counters). */
  timing?: (ms: number) => void;
  /** Delay chosen before each retry, in ms. */
  onRetryScheduled?: (delayMs: number) => void;
}

export const DEFAULT_UPLOAD_TIMEOUT_MS = 30_000;

const gunzipAsync = promisify(gunzip);

/**
 * Delivers the outbox, oldest report first. States: idle (nothing sent yet), ok (the
 * last attempt was delivered), retrying (the collector is unreachable, failing, or
 * asked us to wait), off (gate closed or no endpoint). One log line per change of state
 * or of its reason, not per attempt.
 *
 * Every path honours a running wait (backoff, at least the collector's Retry-After):
 * the scheduled report and send-now call flush(), which leaves a new report in the
 * outbox until the wait is over; a gate that closes and opens again keeps it. Only
 * another endpoint ends it early: the wait was that collector's (see README.md).
 *
 * Turning the gate off: the gate is read before every request, and wake() aborts the
 * request in flight when the gate has closed. Aborting is the better half of the
 * choice: "off" then means no byte leaves after the switch; the report stays in the
 * outbox (if the collector had already read it, the resend carries the same
 * `report_id` and Idempotency-Key, so a receiver keeps one copy).
 */
export class Sender {
  private current: DeliveryState = 'idle';
  private readonly loop: FlushLoop;
  private readonly timeoutMs: number;
  /** Outbox ids delivered whose removal failed; only ever holds files still in the outbox. */
  private readonly deliveredUnremoved = new Set<string>();
  /** Why the state is what it is ('unreachable', 'failed', 'asked-to-wait', ...): a new reason is a new log line. */
  private reason = '';
  /** The endpoint whose failure started the running wait, and how it failed (for the log). */
  private waitingFor: { url: string; cause: string } | null = null;

  constructor(private readonly opts: SenderOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
    this.loop = new FlushLoop({
      drain: (signal) => this.drain(signal),
      baseBackoffMs: opts.baseBackoffMs,
      maxBackoffMs: opts.maxBackoffMs,
      maxRetryAfterMs: opts.maxRetryAfterMs,
      random: opts.random,
      onRetryScheduled: opts.onRetryScheduled,
      label: 'telemetry delivery',
    });
  }

  get state(): DeliveryState {
    return this.current;
  }

  /** Pending reports in the outbox. */
  async pending(): Promise<number> {
    return (await this.opts.outbox.list()).length;
  }

  /**
   * Deliver everything now, oldest first, stopping at the first retryable failure. While
   * a wait is running (backoff or Retry-After) nothing is sent: the reports stay in the
   * outbox and go when it is over. Resolves when the attempt ends, or at once during a wait.
   */
  flush(): Promise<void> {
    this.endWaitIfEndpointChanged();
    return this.loop.flushWhenDue();
  }

  /** When the running wait ends (the next attempt, unless the gate holds it further), or null when none runs. */
  nextAttemptAt(): Date | null {
    return this.loop.waitEnd();
  }

  /**
   * Something changed (a new report, the gate, the endpoint). Gate closed: abort the
   * request in flight and stop retrying. Gate open: deliver, or when a wait is running,
   * when it is over.
   */
  wake(): void {
    const open = this.opts.gate().sending;
    if (!open) this.setState('off', 'telemetry sending is off; reports wait in the outbox', 'gate');
    else {
      this.endWaitIfEndpointChanged();
      const until = this.loop.waitEnd();
      if (this.current === 'off' && until !== null && this.waitingFor !== null) {
        const seconds = Math.ceil((until.getTime() - Date.now()) / 1000);
        this.setState('retrying', `telemetry sending is on; next attempt in ${seconds} s (${this.waitingFor.cause})`, 'waiting');
      }
    }
    this.loop.wakeGated(open);
  }

  /** Begin delivering in the background, with retries on a timer. */
  start(): void {
    this.loop.start();
  }

  /** Stop retries and abort the request in flight; resolves when the sender is quiet. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async drain(signal: AbortSignal): Promise<DrainOutcome> {
    const { outbox } = this.opts;
    for (;;) {
      const closed = this.closed();
      if (closed) return closed;
      const [entry] = await outbox.list();
      if (!entry) {
        if (this.current === 'off' || this.current === 'retrying') this.setState('idle', 'telemetry sending is on; the outbox is empty');
        return { kind: 'done' };
      }
      outbox.setInFlight(entry);
      try {
        const outcome = await this.deliver(entry, signal);
        if (outcome) return outcome;
      } finally {
        outbox.setInFlight(null);
      }
    }
  }

  /** Gate closed or no endpoint: the 'off' outcome (with its state change), else null. */
  private closed(): DrainOutcome | null {
    if (!this.opts.gate().sending) {
      this.setState('off', 'telemetry sending is off; reports wait in the outbox', 'gate');
      return { kind: 'off' };
    }
    if (this.opts.endpoint() === null) {
      this.setState('off', 'no telemetry endpoint is configured; reports wait in the outbox', 'no-endpoint');
      return { kind: 'off' };
    }
    return null;
  }

  /** One report; null means go on with the next one. */
  private async deliver(entry: OutboxEntry, signal: AbortSignal): Promise<DrainOutcome | null> {
    const { outbox } = this.opts;
    // Delivered before, but its file could not be removed (a read-only disk): finish
    // the removal only. A running process knows it delivered; it never sends it again.
    if (this.deliveredUnremoved.has(entry.id)) {
      await outbox.remove(entry);
      this.deliveredUnremoved.delete(entry.id);
      return null;
    }
    let gz: Buffer;
    try {
      gz = await outbox.read(entry);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // removed meanwhile
      throw error;
    }
    let json: string;
    let meta: ReportMeta;
    try {
      json = (await gunzipAsync(gz)).toString('utf8');
      meta = reportMeta(json);
    } catch (error) {
      await outbox.quarantine(entry, (error as Error).message);
      return null;
    }

    // Right before the request: the gate and the endpoint may have changed while reading.
    const closed = this.closed();
    if (closed) return closed;
    // The agent records an id before it queues a report; a report queued by an older
    // Candor (or whose record was lost) gets it here: no id leaves unrecorded.
    try {
      this.opts.ledger.recordIdDurably(meta.instanceId);
    } catch (error) {
      this.setState('retrying', `telemetry report not sent: its instance id could not be recorded first (${(error as Error).message})`);
      return { kind: 'retry' };
    }
    const url = this.opts.endpoint() ?? '';
    const started = performance.now();
    const result = await postGzipJson({
      url,
      body: gz,
      userAgent: this.opts.userAgent,
      timeoutMs: this.timeoutMs,
      signal,
      ...(meta.reportId === null ? {} : { idempotencyKey: meta.reportId }),
    });
    this.opts.timing?.(performance.now() - started);
    if (signal.aborted) return this.closed() ?? { kind: 'off' };

    switch (result.kind) {
      case 'delivered': {
        const sha256 = createHash('sha256').update(json).digest('hex');
        let recorded: HistoryEntry = {
          time: new Date().toISOString(),
          instance_id: meta.instanceId,
          details_level: meta.detailsLevel,
          bytes: gz.length,
          sha256,
          body_kept: false,
        };
        try {
          // Ledger before removal: a crash in between resends (and records twice) rather than sends unrecorded.
          recorded = await this.opts.ledger.append(recorded, json);
        } catch (error) {
          log.error(
            `telemetry report ${entry.id} was delivered but the sent-history ledger could not record it: ${(error as Error).message}`,
          );
        }
        this.deliveredUnremoved.add(entry.id);
        await outbox.remove(entry);
        this.deliveredUnremoved.delete(entry.id);
        this.loop.resetBackoff();
        this.waitingFor = null;
        this.setState(
          'ok',
          this.current === 'retrying' ? 'telemetry endpoint reachable again' : `telemetry endpoint reachable (${new URL(url).origin})`,
        );
        this.opts.onDelivered?.(recorded);
        return null;
      }
      case 'rejected':
        await outbox.reject(entry, result.error);
        return null;
      case 'retry':
        this.noteRetry(url, result);
        return result.retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs: result.retryAfterMs };
    }
  }

  /** Logs what a failed attempt means: unreachable, a failing answer, or a request to wait. */
  private noteRetry(url: string, result: Extract<UploadResult, { kind: 'retry' }>): void {
    const http = result.status === undefined ? null : `HTTP ${result.status}`;
    if (result.retryAfterMs !== undefined) {
      const capMs = this.opts.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
      const capped = result.retryAfterMs > capMs ? `; waiting at most ${Math.ceil(capMs / 1000)} s` : '';
      this.waitingFor = { url, cause: `the telemetry endpoint asked us to wait${http ? `, ${http}` : ''}` };
      const asked = `telemetry endpoint asked us to wait ${Math.ceil(result.retryAfterMs / 1000)} s`;
      this.setState('retrying', `${asked}${http ? ` (${http})` : ''}${capped}`, 'asked-to-wait');
      return;
    }
    this.waitingFor = { url, cause: `backoff after ${result.error}` };
    // An answer is not "unreachable": the collector is there and failing (or redirecting).
    if (http) this.setState('retrying', `telemetry endpoint answered ${result.error}, will retry`, 'failed');
    else this.setState('retrying', `telemetry endpoint unreachable, will retry (${result.error})`, 'unreachable');
  }

  /** A wait is the collector's that failed or asked for it: another endpoint starts afresh. */
  private endWaitIfEndpointChanged(): void {
    if (this.waitingFor === null) return;
    const now = this.opts.endpoint();
    // No endpoint: nothing is sent anyway, and the same one coming back still owes the wait.
    if (now === null || now === this.waitingFor.url) return;
    if (this.loop.waitEnd() !== null) log.info('telemetry endpoint changed; the wait for the previous endpoint no longer applies');
    this.waitingFor = null;
    this.loop.clearWait();
  }

  private setState(next: DeliveryState, message: string, reason = ''): void {
    if (next === this.current && reason === this.reason) return;
    const changed = next !== this.current;
    this.current = next;
    this.reason = reason;
    if (next === 'retrying') log.warn(message);
    else log.info(message);
    if (changed) this.opts.onStateChange?.(next);
  }
}
