// Summary statistics shared by every benchmark. Medians, not means: the machine is
// shared with other work, and a median of several runs ignores the odd stall.

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Spread of the runs as (max - min) / median. */
export function spread(values) {
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m;
}

/** Interquartile range over the median: the noise figure printed beside each median (one stall does not swamp it, as it does max - min). */
export function iqrRatio(values) {
  const m = median(values);
  return m === 0 ? 0 : (percentile(values, 75) - percentile(values, 25)) / m;
}

/** { median, min, max, spread, iqr, runs } of a list of per-run figures. */
export function summary(values) {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    spread: spread(values),
    iqr: iqrRatio(values),
    runs: values.length,
  };
}

/** Runs `fn` `warmup` times unmeasured, then `runs` times, each returning one figure. */
export async function sampleRuns(fn, { warmup = 1, runs = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const out = [];
  for (let i = 0; i < runs; i++) out.push(await fn());
  return out;
}

/** Wall time of an async function in ms. */
export async function timeMs(fn) {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}
