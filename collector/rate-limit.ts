// Rate limits that need no address: one bucket for all clients together, and one per
// instance id (taken from the report, which holds it anyway). Nothing here is written
// anywhere, and an idle instance's bucket is forgotten once it has refilled.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerS: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerS);
    this.last = now;
  }

  /** Takes one token; null when granted, else the seconds until one is there. */
  take(now: number): number | null {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerS));
  }

  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

export interface RateLimitOptions {
  /** Requests per second over all clients; the burst is one second's worth. */
  globalPerS: number;
  /** Reports per hour under one instance id; the burst is one hour's worth (an outbox emptied after a week offline). */
  instancePerHour: number;
  now?: () => number;
}

const SWEEP_AT = 10_000;

export class RateLimiter {
  private readonly global: TokenBucket;
  private readonly instances = new Map<string, TokenBucket>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
    this.global = new TokenBucket(options.globalPerS, options.globalPerS, this.now());
  }

  /** null when the request may go on, else Retry-After seconds. */
  request(): number | null {
    return this.global.take(this.now());
  }

  report(instanceId: string): number | null {
    const now = this.now();
    let bucket = this.instances.get(instanceId);
    if (bucket === undefined) {
      if (this.instances.size >= SWEEP_AT) this.sweep(now);
      bucket = new TokenBucket(this.options.instancePerHour / 3600, this.options.instancePerHour, now);
      this.instances.set(instanceId, bucket);
    }
    return bucket.take(now);
  }

  /** Buckets that have refilled are the same as new ones: drop them. */
  private sweep(now: number): void {
    for (const [id, bucket] of this.instances) if (bucket.full(now)) this.instances.delete(id);
  }
}
