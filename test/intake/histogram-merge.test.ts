import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_COUNT,
  BUCKET_UPPER_MS,
  BUCKETS,
  bucketIndex,
  COUNT,
  histogramBuckets,
  LE_SLOTS,
  newSeriesArray,
  PROMETHEUS_LE_MS,
  timerStats,
} from '../../main/collect/histogram.js';
import { addCoarse, coarseProblem, exponentialToCoarse, type CoarseHistogram } from '../../main/intake/histogram-merge.js';
import { alignedBounds, candorBuckets, candorTimer } from './support/intake-fixture.js';

/** The non-empty fine buckets as [index, count] pairs: the wire form `candor-log-linear-1`. */
function sparseBuckets(a: Float64Array): [number, number][] {
  const { index, count } = histogramBuckets(a);
  return index.map((k, i) => [k, count[i] as number]);
}

// An app's histogram in Candor's layout: exact where the app's bounds are Candor's,
// count-preserving and integer everywhere, and never outside the app's own buckets.

function histogramOf(values: readonly number[], bounds: readonly number[]): CoarseHistogram {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < bounds.length && v > (bounds[i] as number)) i++;
    counts[i] = (counts[i] as number) + 1;
  }
  return {
    bounds,
    counts,
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

function poured(h: CoarseHistogram, scale = 1): Float64Array {
  const a = newSeriesArray();
  addCoarse(a, h, scale);
  return a;
}

const OTEL_DEFAULT_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

describe('addCoarse', () => {
  it('bounds on Candor boundaries: the same fine buckets and the same timer as Candor recording the values', () => {
    const values = [0.0004, 0.3, 1.7, 1.7, 12.3, 220, 220.5, 3100, 3100, 2e6];
    const a = poured(histogramOf(values, alignedBounds(values)));
    expect(sparseBuckets(a)).toEqual(candorBuckets(values));
    const stats = timerStats(a);
    expect({ ...stats, avg: 0 }).toEqual({ ...candorTimer(values), avg: 0 });
    expect(stats.avg).toBeCloseTo(candorTimer(values).avg, 9);
  });

  it('any bounds: counts are integers that add up, within the app bucket they came from; the le slots agree', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.uniqueArray(fc.double({ min: 0, max: 2e6, noNaN: true }), { maxLength: 30 }),
        (values, rawBounds) => {
          const bounds = [...rawBounds].sort((x, y) => x - y);
          const h = histogramOf(values, bounds);
          expect(coarseProblem(h)).toBeNull();
          const a = poured(h);
          expect(a[COUNT]).toBe(values.length);
          let total = 0;
          for (const [k, c] of sparseBuckets(a)) {
            expect(Number.isInteger(c) && c > 0).toBe(true);
            total += c;
            // Every fine bucket lies inside [min, max] of the data (it may touch them).
            expect(BUCKET_UPPER_MS[k] as number).toBeGreaterThanOrEqual(Math.min(...values) * (1 - 1e-12));
            if (k > 0) expect(BUCKET_UPPER_MS[k - 1] as number).toBeLessThanOrEqual(Math.max(...values));
          }
          expect(total).toBe(values.length);
          let le = 0;
          for (let j = 0; j <= PROMETHEUS_LE_MS.length; j++) le += a[LE_SLOTS + j] as number;
          expect(le).toBe(values.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("the SDK's default bounds: percentiles fall in the right app bucket, spread evenly inside it", () => {
    // 1000 values spread evenly over (100, 250]: p50 is near 175, as linear interpolation says.
    const values = Array.from({ length: 1000 }, (_, i) => 100 + (150 * (i + 0.5)) / 1000);
    const stats = timerStats(poured({ ...histogramOf(values, OTEL_DEFAULT_BOUNDS), min: NaN, max: NaN }));
    expect(stats.p50).toBeGreaterThan(170);
    expect(stats.p50).toBeLessThan(180);
    expect(stats.p99).toBeGreaterThan(245);
    expect(stats.p99).toBeLessThanOrEqual(250);
    // Without min/max from the app, they are the bucket's edges.
    expect(stats.min).toBe(100);
    expect(stats.max).toBe(250);
  });

  it('the open last bucket: without a max the values sit just above the last bound; with one, spread up to it', () => {
    const h: CoarseHistogram = { bounds: [10], counts: [0, 4], count: 4, sum: NaN, min: NaN, max: NaN };
    expect(sparseBuckets(poured(h))).toEqual([[bucketIndex(10) + 1, 4]]);
    // Spread evenly over (10, 40]: at 1/8, 3/8, 5/8 and 7/8 of the way.
    expect(sparseBuckets(poured({ ...h, max: 40 }))).toEqual([13.75, 21.25, 28.75, 36.25].map((v) => [bucketIndex(v), 1]));
  });

  it('negative and zero values share the zero bucket; the scale converts units (s -> ms)', () => {
    const h: CoarseHistogram = { bounds: [-5, 0, 1], counts: [2, 3, 0, 1], count: 6, sum: -7, min: -9, max: 3 };
    const a = poured(h, 1000);
    expect(a[BUCKETS]).toBe(5);
    // The one value above 1 s lies in (1000, 3000] ms (the max): at its middle.
    expect(sparseBuckets(a)).toEqual([
      [0, 5],
      [bucketIndex(2000), 1],
    ]);
    expect(timerStats(a).max).toBe(3000);
    expect(timerStats(a).avg).toBeCloseTo(-7000 / 6, 9);
  });

  it('coarseProblem names what is wrong', () => {
    const ok: CoarseHistogram = { bounds: [1, 2], counts: [1, 1, 1], count: 3, sum: 3, min: 0.5, max: 3 };
    expect(coarseProblem(ok)).toBeNull();
    expect(coarseProblem({ ...ok, counts: [1, 1] })).toMatch(/2 bucket counts for 2 bounds/);
    expect(coarseProblem({ ...ok, bounds: [2, 1] })).toMatch(/strictly increasing/);
    expect(coarseProblem({ ...ok, bounds: [1, Infinity] })).toMatch(/finite/);
    expect(coarseProblem({ ...ok, counts: [1, 1.5, 0.5] })).toMatch(/non-negative integers/);
    expect(coarseProblem({ ...ok, count: 4 })).toMatch(/count 4 is not the sum/);
    expect(coarseProblem({ ...ok, sum: Infinity })).toMatch(/sum/);
  });
});

describe('exponentialToCoarse', () => {
  it('bucket i of scale s holds (2^(i/2^s), 2^((i+1)/2^s)]; zero and negative counts go to the zero bucket', () => {
    const h = exponentialToCoarse({
      scale: 1,
      zeroCount: 2,
      negativeTotal: 1,
      offset: 2,
      counts: [3, 4],
      count: 10,
      sum: NaN,
      min: NaN,
      max: NaN,
    });
    // Computed by repeated multiplication: equal to the powers within a few ulps.
    expect(h?.bounds).toHaveLength(4);
    [0, 2, 2 ** 1.5, 4].forEach((b, i) => expect(h?.bounds[i]).toBeCloseTo(b, 12));
    expect(h?.counts).toEqual([3, 0, 3, 4, 0]);
    expect(coarseProblem(h as CoarseHistogram)).toBeNull();
  });

  it('the same scale and offset give the same bounds array (compared in one step when added up)', () => {
    const p = { scale: 3, zeroCount: 0, negativeTotal: 0, offset: -5, counts: [1, 2, 3], count: 6, sum: NaN, min: NaN, max: NaN };
    expect(exponentialToCoarse(p)?.bounds).toBe(exponentialToCoarse({ ...p, counts: [0, 0, 9], count: 9 })?.bounds);
  });

  it('bounds beyond the range of doubles: null (the point is rejected, never a NaN bucket)', () => {
    expect(
      exponentialToCoarse({ scale: 0, zeroCount: 0, negativeTotal: 0, offset: 2000, counts: [1], count: 1, sum: NaN, min: NaN, max: NaN }),
    ).toBeNull();
    expect(
      exponentialToCoarse({ scale: 0, zeroCount: 0, negativeTotal: 0, offset: -2000, counts: [1], count: 1, sum: NaN, min: NaN, max: NaN }),
    ).toBeNull();
  });

  it('sparseBuckets lists exactly the non-empty fine buckets', () => {
    const a = newSeriesArray();
    a[BUCKETS + 3] = 2;
    a[BUCKETS + BUCKET_COUNT - 1] = 1;
    expect(sparseBuckets(a)).toEqual([
      [3, 2],
      [BUCKET_COUNT - 1, 1],
    ]);
  });
});
