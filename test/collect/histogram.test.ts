import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_LAYOUT } from '../../main/report/payload-schema.js';
import {
  BUCKET_COUNT,
  BUCKET_UPPER_MS,
  BUCKETS,
  bucketIndex,
  COUNT,
  cumulativeLeCounts,
  LE_SLOT_OF_BUCKET,
  LE_SLOTS,
  MAX,
  MAX_TRACKED_MS,
  MIN,
  newSeriesArray,
  PROMETHEUS_LE_MS,
  SUM,
  timerStats,
} from '../../main/collect/histogram.js';

/** Reference: the first bucket whose upper bound is >= v (upper-inclusive), by linear search. */
function slowIndex(v: number): number {
  if (!(v > 0)) return 0;
  for (let i = 1; i < BUCKET_COUNT; i++) if (v <= (BUCKET_UPPER_MS[i] as number)) return i;
  return BUCKET_COUNT - 1;
}

/** Same recording steps as the registry's histogram handle. */
function recordAll(values: readonly number[]): Float64Array {
  const a = newSeriesArray();
  for (const v of values) {
    const fine = bucketIndex(v);
    a[BUCKETS + fine] = (a[BUCKETS + fine] as number) + 1;
    const le = LE_SLOTS + (LE_SLOT_OF_BUCKET[fine] as number);
    a[le] = (a[le] as number) + 1;
    a[COUNT] = (a[COUNT] as number) + 1;
    a[SUM] = (a[SUM] as number) + v;
    a[MIN] = Math.min(a[MIN] as number, v);
    a[MAX] = Math.max(a[MAX] as number, v);
  }
  return a;
}

const inRange = fc.double({ min: 0.001, max: MAX_TRACKED_MS, noNaN: true });

describe('fine bucket layout', () => {
  it('has strictly increasing bounds from 1 µs to 10^7 ms, each bucket at most 2.5% wide', () => {
    expect(BUCKET_UPPER_MS[0]).toBe(0);
    expect(BUCKET_UPPER_MS[1]).toBe(0.001);
    expect(MAX_TRACKED_MS).toBe(1e7);
    for (let i = 2; i < BUCKET_COUNT; i++) {
      const lo = BUCKET_UPPER_MS[i - 1] as number;
      const hi = BUCKET_UPPER_MS[i] as number;
      expect(hi).toBeGreaterThan(lo);
      expect((hi - lo) / lo).toBeLessThanOrEqual(0.025 + 1e-12);
    }
  });

  it('has every Prometheus le boundary as an exact bucket boundary', () => {
    for (const le of PROMETHEUS_LE_MS) expect(BUCKET_UPPER_MS[bucketIndex(le)]).toBe(le);
  });

  it('maps every value to the same bucket as a linear search, boundaries inclusive', () => {
    fc.assert(
      fc.property(inRange, (v) => bucketIndex(v) === slowIndex(v)),
      { numRuns: 20_000 },
    );
    // Every bound itself, and the next double above it.
    for (let i = 1; i < BUCKET_COUNT - 1; i++) {
      const upper = BUCKET_UPPER_MS[i] as number;
      expect(bucketIndex(upper)).toBe(i);
      expect(bucketIndex(upper + upper * Number.EPSILON)).toBe(i + 1);
    }
  });

  it('puts values <= 0 in the zero bucket, tiny ones in bucket 1 and huge ones in the top bucket', () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(-5)).toBe(0);
    expect(bucketIndex(Number.MIN_VALUE)).toBe(1);
    expect(bucketIndex(0.0005)).toBe(1);
    expect(bucketIndex(1e9)).toBe(BUCKET_COUNT - 1);
    expect(bucketIndex(Number.MAX_VALUE)).toBe(BUCKET_COUNT - 1);
  });
});

describe('timerStats', () => {
  it('is all zeros with no recordings', () => {
    expect(timerStats(newSeriesArray())).toEqual({
      count: 0,
      min: 0,
      avg: 0,
      max: 0,
      p50: 0,
      p95: 0,
      p99: 0,
      histogram: { layout: HISTOGRAM_LAYOUT, index: [], count: [] },
    });
  });

  it('carries the non-empty buckets, from which the same percentiles come back (what a receiver merges)', () => {
    const a = newSeriesArray();
    const values = [0.5, 0.5, 3, 3, 3, 250, 1000, 1000.5];
    for (const v of values) {
      const b = bucketIndex(v);
      a[COUNT] = (a[COUNT] as number) + 1;
      a[SUM] = (a[SUM] as number) + v;
      a[MIN] = Math.min(a[MIN] as number, v);
      a[MAX] = Math.max(a[MAX] as number, v);
      a[BUCKETS + b] = (a[BUCKETS + b] as number) + 1;
    }
    const { histogram } = timerStats(a);
    expect(histogram?.index).toEqual([...new Set(values.map(bucketIndex))].sort((x, y) => x - y));
    expect(histogram?.count.reduce((s, n) => s + n, 0)).toBe(values.length);
    expect(histogram?.count[histogram.index.indexOf(bucketIndex(3))]).toBe(3);
    // Rebuilt from the buckets alone, the percentiles match.
    const rebuilt = newSeriesArray();
    rebuilt[COUNT] = values.length;
    rebuilt[MIN] = a[MIN] as number;
    rebuilt[MAX] = a[MAX] as number;
    histogram?.index.forEach((b, i) => (rebuilt[BUCKETS + b] = histogram.count[i] as number));
    expect([timerStats(rebuilt).p50, timerStats(rebuilt).p95]).toEqual([timerStats(a).p50, timerStats(a).p95]);
  });

  it('reports exact count/min/avg/max and percentiles within 1.25% of the true order statistic', () => {
    fc.assert(
      fc.property(fc.array(inRange, { minLength: 1, maxLength: 400 }), (values) => {
        const stats = timerStats(recordAll(values));
        const sorted = [...values].sort((a, b) => a - b);
        expect(stats.count).toBe(values.length);
        expect(stats.min).toBe(sorted[0]);
        expect(stats.max).toBe(sorted[sorted.length - 1]);
        expect(stats.avg).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
        for (const [q, got] of [
          [0.5, stats.p50],
          [0.95, stats.p95],
          [0.99, stats.p99],
        ] as const) {
          const truth = sorted[Math.max(1, Math.ceil(q * values.length)) - 1] as number;
          expect(Math.abs(got - truth)).toBeLessThanOrEqual(truth * 0.0125 + 1e-12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('clamps percentiles into [min, max] for values outside the tracked range', () => {
    const stats = timerStats(recordAll([5e7, 6e7, 7e7]));
    expect(stats.p50).toBeGreaterThanOrEqual(5e7);
    expect(stats.p99).toBeLessThanOrEqual(7e7);
    const negatives = timerStats(recordAll([-3, -2, -1]));
    expect(negatives.min).toBe(-3);
    expect(negatives.p50).toBe(-1); // zero bucket's 0, clamped to max
  });
});

describe('cumulativeLeCounts', () => {
  it('equals a brute-force count of values <= le, including values exactly on a boundary', () => {
    const boundaryish = fc.oneof(inRange, fc.constantFrom(...PROMETHEUS_LE_MS), fc.constantFrom(0, -1, 0.0001, 2e7));
    fc.assert(
      fc.property(fc.array(boundaryish, { maxLength: 200 }), (values) => {
        const got = cumulativeLeCounts(recordAll(values));
        expect(got).toEqual(PROMETHEUS_LE_MS.map((le) => values.filter((v) => v <= le).length));
      }),
      { numRuns: 500 },
    );
  });
});
