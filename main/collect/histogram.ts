import { HISTOGRAM_LAYOUT, type TimerStats } from '../report/payload-schema.js';

// Fine bucket layout shared by every histogram.
//
// Bucket i holds values v with UPPER[i-1] < v <= UPPER[i] (upper-inclusive, like a
// Prometheus `le`). Bucket 0 holds v <= 0; bucket 1 holds 0 < v <= 1 µs (0.001 ms);
// then each decade from 1 µs to 10^7 ms (2.8 h) is cut at decimal boundaries:
//   [1, 2.5) in steps of 0.025, [2.5, 5) in steps of 0.0625, [5, 10) in steps of 0.125
// (times the decade), so every bucket is at most 2.5% wide relative to its lower
// bound (a bucket's midpoint is within 1.25% of any value in it), and every
// 1/2.5/5 x 10^k is a bucket boundary: the Prometheus `le` counts are exact.
// Values above 10^7 ms land in the top bucket (still counted; max keeps the truth).
//
// Finding the bucket: the top 19 bits of the IEEE-754 double (exponent + 7 mantissa
// bits) give a "coarse" binary bucket < 0.79% wide, START maps it to the first fine
// bucket it can touch, and since fine buckets are >= 1% wide at most one step
// forward is needed. No log, no division, no allocation.

function buildUpperBounds(): number[] {
  const uppers = [0, 0.001];
  for (let decade = -3; decade <= 6; decade++) {
    // Number('<integer>e<exp>') is the correctly rounded double of the decimal, so
    // 0.25 here is the same double as the literal 0.25 a caller passes in.
    const exp = decade - 4;
    for (let m = 10_250; m <= 25_000; m += 250) uppers.push(Number(`${m}e${exp}`));
    for (let m = 25_625; m <= 50_000; m += 625) uppers.push(Number(`${m}e${exp}`));
    for (let m = 51_250; m <= 100_000; m += 1_250) uppers.push(Number(`${m}e${exp}`));
  }
  return uppers;
}

/** Nominal upper bound of each fine bucket (ms). */
export const BUCKET_UPPER_MS: Float64Array = new Float64Array(buildUpperBounds());
export const BUCKET_COUNT = BUCKET_UPPER_MS.length;
const TOP = BUCKET_COUNT - 1;
export const MAX_TRACKED_MS = BUCKET_UPPER_MS[TOP] as number;

/** Search bounds: the top bucket is open-ended so the forward step always stops. */
const SEARCH_UPPER = new Float64Array(BUCKET_UPPER_MS);
SEARCH_UPPER[TOP] = Infinity;

const SCRATCH = new Float64Array(1);
const SCRATCH_WORDS = new Uint32Array(SCRATCH.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: word 1
const COARSE_SHIFT = 13; // keep sign, 11 exponent bits, 7 mantissa bits

function coarseOf(value: number): number {
  SCRATCH[0] = value;
  return (SCRATCH_WORDS[HIGH_WORD] as number) >>> COARSE_SHIFT;
}

const COARSE_BASE = coarseOf(0.001);
const COARSE_LEN = coarseOf(MAX_TRACKED_MS) - COARSE_BASE + 1;
const START = new Uint16Array(COARSE_LEN);
for (let c = 0, i = 1; c < COARSE_LEN; c++) {
  SCRATCH_WORDS[HIGH_WORD] = (c + COARSE_BASE) << COARSE_SHIFT;
  SCRATCH_WORDS[1 - HIGH_WORD] = 0;
  const lowest = SCRATCH[0] as number;
  while ((SEARCH_UPPER[i] as number) < lowest) i++;
  START[c] = i;
}

/** Fine bucket of a finite value. */
export function bucketIndex(value: number): number {
  if (!(value > 0)) return 0;
  SCRATCH[0] = value;
  const c = ((SCRATCH_WORDS[HIGH_WORD] as number) >>> COARSE_SHIFT) - COARSE_BASE;
  if (c < 0) return 1;
  if (c >= COARSE_LEN) return TOP;
  let i = START[c] as number;
  while (value > (SEARCH_UPPER[i] as number)) i++;
  return i;
}

/** Fixed `le` boundaries (ms) of the Prometheus exposition; +Inf is implied. */
export const PROMETHEUS_LE_MS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** Fine bucket -> slot of the `le` it first falls under (PROMETHEUS_LE_MS.length for > the last le). */
export const LE_SLOT_OF_BUCKET: Uint8Array = Uint8Array.from(BUCKET_UPPER_MS, (upper) => {
  const slot = PROMETHEUS_LE_MS.findIndex((le) => upper <= le);
  return slot < 0 ? PROMETHEUS_LE_MS.length : slot;
});
for (const le of PROMETHEUS_LE_MS) {
  if (BUCKET_UPPER_MS[bucketIndex(le)] !== le) throw new Error(`le boundary ${le} is not a fine bucket boundary`);
}

// A series' state is one Float64Array: four summary slots, the per-`le` counts (kept
// at record time so an exposition reads 17 numbers, not ~1,400), then the fine buckets.
export const COUNT = 0;
export const SUM = 1;
export const MIN = 2;
export const MAX = 3;
export const LE_SLOTS = 4;
export const BUCKETS = LE_SLOTS + PROMETHEUS_LE_MS.length + 1;
export const SERIES_LENGTH = BUCKETS + BUCKET_COUNT;

export function newSeriesArray(): Float64Array {
  const a = new Float64Array(SERIES_LENGTH);
  a[MIN] = Infinity;
  a[MAX] = -Infinity;
  return a;
}

/** Adds src's observations to dst (both series arrays). */
export function mergeInto(dst: Float64Array, src: Float64Array): void {
  dst[COUNT] = (dst[COUNT] as number) + (src[COUNT] as number);
  dst[SUM] = (dst[SUM] as number) + (src[SUM] as number);
  dst[MIN] = Math.min(dst[MIN] as number, src[MIN] as number);
  dst[MAX] = Math.max(dst[MAX] as number, src[MAX] as number);
  for (let i = LE_SLOTS; i < SERIES_LENGTH; i++) dst[i] = (dst[i] as number) + (src[i] as number);
}

/** Value reported for a bucket: its midpoint (0 for the zero bucket), clamped to [min, max]. The collector's fleet percentiles use it too. */
export function representative(bucket: number, min: number, max: number): number {
  const mid = bucket === 0 ? 0 : ((BUCKET_UPPER_MS[bucket - 1] as number) + (BUCKET_UPPER_MS[bucket] as number)) / 2;
  return Math.min(max, Math.max(min, mid));
}

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** The non-empty fine buckets, as the payload carries them for merging across instances. */
export function histogramBuckets(a: Float64Array): NonNullable<TimerStats['histogram']> {
  const index: number[] = [];
  const count: number[] = [];
  for (let b = 0; b < BUCKET_COUNT; b++) {
    const n = a[BUCKETS + b] as number;
    if (n > 0) {
      index.push(b);
      count.push(n);
    }
  }
  return { layout: HISTOGRAM_LAYOUT, index, count };
}

export function timerStats(a: Float64Array): TimerStats {
  const count = a[COUNT] as number;
  if (count === 0) return { count: 0, min: 0, avg: 0, max: 0, p50: 0, p95: 0, p99: 0, histogram: histogramBuckets(a) };
  const min = a[MIN] as number;
  const max = a[MAX] as number;
  const found = [0, 0, 0];
  let q = 0;
  let rank = Math.max(1, Math.ceil(QUANTILES[0] * count));
  let seen = 0;
  for (let b = 0; b < BUCKET_COUNT && q < QUANTILES.length; b++) {
    seen += a[BUCKETS + b] as number;
    while (q < QUANTILES.length && seen >= rank) {
      found[q] = representative(b, min, max);
      q++;
      rank = Math.max(1, Math.ceil((QUANTILES[q] ?? 1) * count));
    }
  }
  return {
    count,
    min,
    avg: (a[SUM] as number) / count,
    max,
    p50: found[0] as number,
    p95: found[1] as number,
    p99: found[2] as number,
    histogram: histogramBuckets(a),
  };
}

/** Cumulative counts at each PROMETHEUS_LE_MS boundary (+Inf not included: that is the count). */
export function cumulativeLeCounts(a: Float64Array): number[] {
  const out = new Array<number>(PROMETHEUS_LE_MS.length);
  let seen = 0;
  for (let j = 0; j < PROMETHEUS_LE_MS.length; j++) {
    seen += a[LE_SLOTS + j] as number;
    out[j] = seen;
  }
  return out;
}
