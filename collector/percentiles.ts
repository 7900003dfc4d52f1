import { BUCKET_COUNT, representative } from '../main/collect/histogram.js';

// Percentiles across a fleet come from merged histograms: each instance's bucket counts
// (layout candor-log-linear-1, the agent's BUCKET_UPPER_MS, index for index) are summed,
// then ranked. Averaging each machine's p95 would weigh a machine that timed 3 calls
// like one that timed 3 million, and is not a percentile of anything.

export interface MergedPercentiles {
  /** Observations the histograms hold (reports of schema v1 carry none). */
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Nearest-rank p50/p95/p99 of merged bucket counts ([index, count] in any order, indexes may repeat). */
export function mergedPercentiles(buckets: readonly (readonly [number, number])[], min: number, max: number): MergedPercentiles {
  const counts = new Map<number, number>();
  for (const [index, count] of buckets) {
    if (!Number.isInteger(index) || index < 0 || index >= BUCKET_COUNT || !(count > 0)) continue;
    counts.set(index, (counts.get(index) ?? 0) + count);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return { count: 0, p50: null, p95: null, p99: null };
  const order = [...counts.keys()].sort((a, b) => a - b);
  const at = (q: number): number => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const index of order) {
      seen += counts.get(index) ?? 0;
      if (seen >= rank) return representative(index, min, max);
    }
    return representative(order[order.length - 1] ?? 0, min, max);
  };
  return { count: total, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
