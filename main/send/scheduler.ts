import { log } from '../util/log.js';

export interface SchedulerOptions {
  /** Delay before the first report: never at start, so a crash loop or a quick look sends nothing. */
  firstDelayMs: number;
  intervalMs: number;
  /** Fraction of the interval to vary by, each way (default 0.1 = ±10%). */
  jitter?: number;
  /** In [0, 1); injectable so tests are deterministic. */
  random?: () => number;
  produce: () => Promise<void>;
}

export const DEFAULT_JITTER = 0.1;

/** An interval varied by ±jitter, so a fleet started together does not report together. */
export function jitteredInterval(intervalMs: number, jitter: number, random: () => number): number {
  const spread = Math.min(Math.max(jitter, 0), 1);
  return Math.max(0, Math.round(intervalMs * (1 + spread * (2 * random() - 1))));
}

/**
 * Runs `produce` after `firstDelayMs`, then every `intervalMs` ± jitter, measured from
 * the end of the previous run so a slow run never overlaps the next. A failing run is
 * logged and the schedule goes on. Timers are unref'd: the schedule alone does not keep
 * the process alive.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private next: Date | null = null;

  constructor(private readonly opts: SchedulerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.opts.firstDelayMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.next = null;
  }

  /** When the next run is due, or null when stopped or running. */
  nextRunAt(): Date | null {
    return this.next;
  }

  private schedule(delayMs: number): void {
    this.next = new Date(Date.now() + delayMs);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.next = null;
    try {
      await this.opts.produce();
    } catch (error) {
      log.error(`scheduled telemetry report failed: ${(error as Error).message}`);
    }
    if (!this.running) return;
    this.schedule(jitteredInterval(this.opts.intervalMs, this.opts.jitter ?? DEFAULT_JITTER, this.opts.random ?? Math.random));
  }
}
