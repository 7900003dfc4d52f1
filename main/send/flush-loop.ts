import { log } from '../util/log.js';
import { backoffDelay } from './backoff.js';

export type DrainOutcome =
  /** Nothing left to send. */
  | { kind: 'done' }
  /** The gate is closed or there is nowhere to send: wait for wake(). */
  | { kind: 'off' }
  /** A retryable failure: try again after a backoff (at least `retryAfterMs`). */
  | { kind: 'retry'; retryAfterMs?: number };

export interface FlushLoopOptions {
  /** Sends what is queued, oldest first; stops at the first retryable failure. */
  drain: (signal: AbortSignal) => Promise<DrainOutcome>;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Cap on a collector's Retry-After. */
  maxRetryAfterMs?: number;
  random?: () => number;
  /** Called with the delay chosen before each retry (for logs, status and tests). */
  onRetryScheduled?: (delayMs: number) => void;
  /** Name used in the log when drain throws. */
  label: string;
}

export const DEFAULT_MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * The retry machinery shared by the report sender and the deletion queue: one drain at
 * a time, exponential backoff with jitter between failed drains, a Retry-After floor,
 * and an abort for the request in flight. Timers are unref'd: a pending retry never
 * keeps the process alive by itself.
 *
 * A failed drain starts a wait (`waitEnd()`): the backoff, at least the collector's
 * Retry-After. The wait belongs to the loop, not to its timer: closing the gate drops
 * the timer but keeps the wait, and wake() or flushWhenDue() during it only re-arms
 * the timer for what is left. Only a delivery, an empty queue or clearWait() ends it.
 */
export class FlushLoop {
  private running: Promise<void> | null = null;
  private rerun = false;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private attempt = 0;
  private controller: AbortController | null = null;
  /** Epoch ms before which no attempt starts (null: no wait). Date.now() so it compares with a wall-clock Retry-After. */
  private waitUntil: number | null = null;

  constructor(private readonly opts: FlushLoopOptions) {}

  /** Retries are scheduled only once started; before that, flush() is the only trigger. */
  start(): void {
    this.started = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.cancelRetry();
    this.abort();
    await this.running;
  }

  /** Closed gate: drop the retry timer (the wait stays) and abort the request in flight. Open: wake(). */
  wakeGated(open: boolean): void {
    if (open) {
      this.wake();
      return;
    }
    this.cancelRetry();
    this.abort();
  }

  /** Drain now, or when the running wait is over (a new report does not cut a collector's Retry-After). */
  wake(): void {
    if (!this.started || this.timer) return;
    const remaining = this.remainingMs();
    if (remaining > 0) this.arm(remaining);
    else void this.flush();
  }

  /** Aborts the request in flight, if any. */
  abort(): void {
    this.controller?.abort();
  }

  cancelRetry(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A delivery succeeded: no wait, and the next failure starts from the base delay again. */
  resetBackoff(): void {
    this.attempt = 0;
    this.waitUntil = null;
  }

  /** The reason for the wait is gone (e.g. another endpoint): forget it, and the backoff with it. */
  clearWait(): void {
    this.cancelRetry();
    this.resetBackoff();
  }

  get retryScheduled(): boolean {
    return this.timer !== null;
  }

  /** When the running wait ends, or null when none is running. */
  waitEnd(): Date | null {
    return this.remainingMs() > 0 && this.waitUntil !== null ? new Date(this.waitUntil) : null;
  }

  /**
   * Drains now unless a wait is running; during one, what is queued stays queued and
   * this resolves at once (once started, the timer drains when the wait is over).
   */
  flushWhenDue(): Promise<void> {
    if (this.remainingMs() > 0) {
      this.wake();
      return Promise.resolve();
    }
    return this.flush();
  }

  /**
   * Drains now, ignoring any wait; resolves when this drain (and any requested meanwhile)
   * ends. For the retry timer itself and for an explicit attempt a person asked for
   * (the deletion queue's request()); the report sender uses flushWhenDue().
   */
  flush(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private remainingMs(): number {
    return this.waitUntil === null ? 0 : Math.max(0, this.waitUntil - Date.now());
  }

  private arm(delayMs: number): void {
    this.cancelRetry();
    this.timer = setTimeout(() => {
      this.timer = null;
      // A timer can fire a little early against the wall clock (libuv's cached loop
      // time); the wait is a promise to the collector, so check it and re-arm.
      const remaining = this.remainingMs();
      if (remaining > 0) this.arm(remaining);
      else void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    let outcome: DrainOutcome;
    do {
      this.rerun = false;
      this.controller = new AbortController();
      try {
        outcome = await this.opts.drain(this.controller.signal);
      } catch (error) {
        // A disk error must not end delivery for good: log it and try again later.
        log.error(`${this.opts.label} failed: ${(error as Error).message}`);
        outcome = { kind: 'retry' };
      }
      this.controller = null;
    } while (this.rerun && outcome.kind === 'done');
    this.settle(outcome);
  }

  private settle(outcome: DrainOutcome): void {
    this.cancelRetry();
    if (outcome.kind === 'done') {
      this.resetBackoff();
      return;
    }
    // 'off': the gate closed or the endpoint went; a wait from before still holds.
    if (outcome.kind === 'off') return;
    const backoff = backoffDelay(this.attempt, {
      baseMs: this.opts.baseBackoffMs,
      maxMs: this.opts.maxBackoffMs,
      random: this.opts.random,
    });
    const floor = Math.min(outcome.retryAfterMs ?? 0, this.opts.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
    const delay = Math.max(backoff, floor);
    this.attempt += 1;
    this.waitUntil = Date.now() + delay;
    this.opts.onRetryScheduled?.(delay);
    if (this.started) this.arm(delay);
  }
}
