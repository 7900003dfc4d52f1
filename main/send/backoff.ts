export interface BackoffOptions {
  /** Delay ceiling of the first retry; doubles with each attempt. */
  baseMs?: number;
  /** Ceiling no attempt goes above. */
  maxMs?: number;
  /** In [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export const DEFAULT_BASE_BACKOFF_MS = 5_000;
export const DEFAULT_MAX_BACKOFF_MS = 30 * 60_000;

/**
 * Delay before retry number `attempt` (0 = first retry): exponential with "equal
 * jitter", i.e. uniformly in [ceiling/2, ceiling]. Half the delay is guaranteed so a
 * fleet that lost its collector at the same moment does not come back in lock-step,
 * yet no retry is ever immediate.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const baseMs = opts.baseMs ?? DEFAULT_BASE_BACKOFF_MS;
  const maxMs = opts.maxMs ?? DEFAULT_MAX_BACKOFF_MS;
  const random = opts.random ?? Math.random;
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 52);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
