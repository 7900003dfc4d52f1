import {
  BUCKET_COUNT,
  BUCKET_UPPER_MS,
  BUCKETS,
  bucketIndex,
  COUNT,
  LE_SLOT_OF_BUCKET,
  LE_SLOTS,
  MAX,
  MIN,
  SUM,
} from '../collect/histogram.js';

// An app's histogram, in the app's own buckets, poured into Candor's fine bucket layout
// (collect/histogram.ts), so its percentiles come out of timerStats() with the same
// rules as Candor's own timers and a receiver can merge it index by index.
//
// Inside one of the app's buckets the values are taken as spread evenly (the
// assumption Prometheus' histogram_quantile makes), the bucket's count is shared out
// over the fine buckets it covers in proportion to the overlap, and the shares are
// rounded cumulatively so every fine count is an integer and they add up exactly. The
// data point's min and max, when the app sends them, narrow the first and last bucket.
// Exponential histograms become explicit ones first (their bounds are base^i).

/** Bucket i holds (bounds[i-1], bounds[i]]; the first is (-inf, bounds[0]], the last (bounds[n-1], +inf). */
export interface CoarseHistogram {
  readonly bounds: readonly number[];
  /** bounds.length + 1 counts. */
  readonly counts: readonly number[];
  readonly count: number;
  /** NaN when the app did not send it. */
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

const TOP = BUCKET_COUNT - 1;

function lowerOf(k: number): number {
  return k === 0 ? -Infinity : (BUCKET_UPPER_MS[k - 1] as number);
}
function upperOf(k: number): number {
  if (k === 0) return 0;
  return k === TOP ? Infinity : (BUCKET_UPPER_MS[k] as number);
}

/** The fine bucket of a value just above x (a coarse bucket's open lower end). */
function bucketAbove(x: number): number {
  const k = bucketIndex(x);
  return k < TOP && x >= upperOf(k) ? k + 1 : k;
}

function addTo(dst: Float64Array, k: number, n: number): void {
  if (n === 0) return;
  dst[BUCKETS + k] = (dst[BUCKETS + k] as number) + n;
  const le = LE_SLOTS + (LE_SLOT_OF_BUCKET[k] as number);
  dst[le] = (dst[le] as number) + n;
}

/** Shares c out over the fine buckets covering (lo, hi]; returns a representative sum (for a missing sum). */
function spread(dst: Float64Array, lo: number, hi: number, c: number): number {
  if (!(hi > lo)) {
    addTo(dst, bucketIndex(hi), c);
    return c * hi;
  }
  const first = bucketIndex(lo);
  const last = bucketIndex(hi);
  const width = hi - lo;
  let covered = 0;
  let assigned = 0;
  let sum = 0;
  for (let k = first; k <= last; k++) {
    const a = Math.max(lo, lowerOf(k));
    const b = Math.min(hi, upperOf(k));
    if (b <= a) continue;
    covered += b - a;
    const target = k === last ? c : Math.round((c * covered) / width);
    const n = target - assigned;
    assigned = target;
    addTo(dst, k, n);
    sum += n * ((a + b) / 2);
  }
  return sum;
}

/**
 * Adds a coarse histogram (values times `scale`, for unit conversion) to a Candor series
 * array (collect/histogram.ts layout). The caller has validated it (see validCoarse).
 */
export function addCoarse(dst: Float64Array, h: CoarseHistogram, scale: number): void {
  const n = h.bounds.length;
  const min = h.min * scale;
  const max = h.max * scale;
  let lowest = Infinity;
  let highest = -Infinity;
  let estimatedSum = 0;
  for (let i = 0; i <= n; i++) {
    const c = h.counts[i] as number;
    if (c === 0) continue;
    let lo = i === 0 ? -Infinity : (h.bounds[i - 1] as number) * scale;
    let hi = i === n ? Infinity : (h.bounds[i] as number) * scale;
    if (min > lo) lo = Math.min(min, hi);
    if (max < hi) hi = Math.max(max, lo);
    if (lo === -Infinity) lo = hi <= 0 ? hi : 0; // durations and sizes start at 0
    if (hi === Infinity) {
      // Nothing says how far above the last bound the values went: just above it.
      const k = bucketAbove(lo);
      addTo(dst, k, c);
      hi = Math.min(upperOf(k), BUCKET_UPPER_MS[TOP] as number);
      estimatedSum += c * Math.max(lo, hi);
    } else {
      estimatedSum += spread(dst, lo, hi, c);
    }
    if (lo < lowest) lowest = lo;
    if (hi > highest) highest = hi;
  }
  const count = h.count;
  if (count === 0) return;
  dst[COUNT] = (dst[COUNT] as number) + count;
  dst[SUM] = (dst[SUM] as number) + (Number.isNaN(h.sum) ? estimatedSum : h.sum * scale);
  dst[MIN] = Math.min(dst[MIN] as number, Number.isNaN(min) ? lowest : min);
  dst[MAX] = Math.max(dst[MAX] as number, Number.isNaN(max) ? highest : max);
}

/** Why a coarse histogram cannot be used, or null. */
export function coarseProblem(h: CoarseHistogram): string | null {
  const n = h.bounds.length;
  if (h.counts.length !== n + 1) return `${h.counts.length} bucket counts for ${n} bounds (expected ${n + 1})`;
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const b = h.bounds[i] as number;
    if (!Number.isFinite(b) || b <= previous) return 'bounds must be finite and strictly increasing';
    previous = b;
  }
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const c = h.counts[i] as number;
    if (!Number.isInteger(c) || c < 0) return 'bucket counts must be non-negative integers';
    total += c;
  }
  return summaryProblem(h, total);
}

/** Bounds of recent (scale, offset, length) triples: points of one series mostly repeat them, and a shared array compares in one step. */
const EXPONENTIAL_BOUNDS = new Map<number, number[]>();
const BOUNDS_CACHE_SIZE = 1024;

function exponentialBounds(scale: number, offset: number, n: number): number[] | null {
  // The key packs n into 9 bits: a longer point is not cached (a key could name two lengths).
  const cacheable = Math.abs(offset) < 2 ** 22 && n < 512;
  const key = ((scale + 10) * 2 ** 23 + (offset + 2 ** 22)) * 512 + n;
  const cached = cacheable ? EXPONENTIAL_BOUNDS.get(key) : undefined;
  if (cached !== undefined) return cached;
  // base^i by repeated multiplication from base^offset: one pow per point, and the same
  // (scale, offset) always gives the same doubles.
  const base = 2 ** (2 ** -scale);
  const bounds = new Array<number>(n + 2);
  bounds[0] = 0;
  let b = 2 ** (offset * 2 ** -scale);
  for (let j = 0; j <= n; j++, b *= base) {
    if (!Number.isFinite(b) || !(b > (bounds[j] as number))) return null;
    bounds[j + 1] = b;
  }
  if (cacheable) {
    if (EXPONENTIAL_BOUNDS.size >= BOUNDS_CACHE_SIZE) EXPONENTIAL_BOUNDS.clear();
    EXPONENTIAL_BOUNDS.set(key, bounds);
  }
  return bounds;
}

/**
 * An exponential histogram point as a coarse one: bucket index i of `scale` holds
 * (base^i, base^(i+1)] with base = 2^(2^-scale). The zero bucket and the negative
 * buckets go to (-inf, 0] (Candor's zero bucket holds every value <= 0). Null when the
 * bounds leave the range of doubles. The counts must be non-negative integers already.
 */
export function exponentialToCoarse(p: {
  scale: number;
  zeroCount: number;
  negativeTotal: number;
  offset: number;
  counts: ArrayLike<number>;
  count: number;
  sum: number;
  min: number;
  max: number;
}): CoarseHistogram | null {
  const n = p.counts.length;
  const bounds = exponentialBounds(p.scale, p.offset, n);
  if (bounds === null) return null;
  const counts = new Array<number>(n + 3);
  counts[0] = p.zeroCount + p.negativeTotal;
  counts[1] = 0;
  for (let j = 0; j < n; j++) counts[j + 2] = p.counts[j] as number;
  counts[n + 2] = 0;
  return { bounds, counts, count: p.count, sum: p.sum, min: p.min, max: p.max };
}

/** What is wrong with a point's count, sum, min or max given its buckets' total, or null. */
export function summaryProblem(h: CoarseHistogram, total: number): string | null {
  if (total !== h.count) return `count ${h.count} is not the sum of the bucket counts (${total})`;
  if (!Number.isNaN(h.sum) && !Number.isFinite(h.sum)) return 'sum is not finite';
  if ((!Number.isNaN(h.min) && !Number.isFinite(h.min)) || (!Number.isNaN(h.max) && !Number.isFinite(h.max)))
    return 'min or max is not finite';
  return null;
}

/** Adds b's counts to a's when both have the same bounds; false (nothing changed) otherwise. */
export function addSameBounds(a: { readonly bounds: readonly number[]; readonly counts: number[] }, b: CoarseHistogram): boolean {
  if (a.bounds !== b.bounds) {
    if (a.bounds.length !== b.bounds.length) return false;
    for (let i = 0; i < a.bounds.length; i++) if (a.bounds[i] !== b.bounds[i]) return false;
  }
  for (let i = 0; i < a.counts.length; i++) a.counts[i] = (a.counts[i] as number) + (b.counts[i] as number);
  return true;
}
