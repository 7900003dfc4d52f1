// min/avg/max/p95 of the finite values in a slice of a typed array. NaN marks a
// missing value (null in the payload). The caller passes a scratch buffer at least
// as long as the input so that summarizing allocates no per-sample memory.

import type { StatsSummary } from '../report/payload-schema.js';

/** Nearest-rank percentile of an ascending-sorted, non-empty list. */
export function nearestRank(sorted: ArrayLike<number>, count: number, p: number): number {
  const rank = Math.min(count, Math.max(1, Math.ceil((p / 100) * count)));
  return sorted[rank - 1] as number;
}

/**
 * Summarizes `values` visited in the order given by `indexAt(0..length-1)`
 * (ring buffers are not contiguous). Null when no finite value is present.
 */
export function summarize(
  values: Float64Array,
  length: number,
  indexAt: (i: number) => number,
  scratch: Float64Array,
): StatsSummary | null {
  if (scratch.length < length) throw new Error(`summarize: scratch buffer of ${scratch.length} is shorter than ${length} values`);
  let n = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const v = values[indexAt(i)];
    if (v === undefined || !Number.isFinite(v)) continue;
    scratch[n++] = v;
    sum += v;
  }
  if (n === 0) return null;
  const sorted = scratch.subarray(0, n).sort();
  return { min: sorted[0] as number, avg: sum / n, max: sorted[n - 1] as number, p95: nearestRank(sorted, n, 95) };
}
