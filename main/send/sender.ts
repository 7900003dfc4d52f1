import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { HistoryEntry } from '../api.js';
import { log } from '../util/log.js';
import { FlushLoop, type DrainOutcome } from './flush-loop.js';
import type { Ledger } from './ledger.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import { reportMeta, type ReportMeta } from './report-meta.js';
import { postGzipJson } from './upload.js';

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
 * last attempt was delivered), retrying (the collector is unreachable or busy), off
 * (gate closed or no endpoint). One log line per change of state, not per attempt.
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

  /** Try to deliver everything now, ignoring a running backoff; stops at the first retryable failure. */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  /**
   * Something changed (a new report, the gate, the endpoint). Gate closed: abort the
   * request in flight and stop retrying. Gate open: deliver, unless waiting out a backoff.
   */
  wake(): void {
    const open = this.opts.gate().sending;
    if (!open) this.setState('off', 'telemetry sending is off; reports wait in the outbox');
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
      this.setState('off', 'telemetry sending is off; reports wait in the outbox');
      return { kind: 'off' };
    }
    if (this.opts.endpoint() === null) {
      this.setState('off', 'no telemetry endpoint is configured; reports wait in the outbox');
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
        this.setState('retrying', `telemetry endpoint unreachable, will retry (${result.error})`);
        return result.retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs: result.retryAfterMs };
    }
  }

  private setState(next: DeliveryState, message: string): void {
    if (next === this.current) return;
    this.current = next;
    if (next === 'retrying') log.warn(message);
    else log.info(message);
    this.opts.onStateChange?.(next);
  }
}
