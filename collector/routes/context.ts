import type { Batcher } from '../batcher.js';
import type { BodyLimits } from '../http-body.js';
import type { RateLimiter } from '../rate-limit.js';
import type { Store } from '../store/store.js';

/** What every route handler works with. */
export interface RouteContext {
  store: Store;
  batcher: Batcher;
  limiter: RateLimiter;
  limits: BodyLimits;
  adminToken: string;
  minGroupSize: number;
  now: () => Date;
}
