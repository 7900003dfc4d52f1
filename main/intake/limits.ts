// Every bound the intake keeps. A flooding or broken app can fill its own budget (its
// excess is dropped and counted) but cannot grow the agent past these figures. Memory
// figures are estimates the stores keep as they allocate (bench/intake-flood.mjs
// compares them with the heap actually used).

export interface IntakeLimits {
  /** Sources held in memory (pending or allowed, each with its store); a new name beyond it is refused. */
  maxSources: number;
  /** Distinct metric names per source. */
  maxMetricsPerSource: number;
  /** Series (label sets) per source, over all its metrics. */
  maxSeriesPerSource: number;
  /** Series per metric, so one metric cannot take a source's whole budget. */
  maxSeriesPerMetric: number;
  /** Estimated bytes of one source's aggregates (series, buckets, labels, error texts). */
  maxBytesPerSource: number;
  /** Estimated bytes of every source's aggregates together. */
  maxTotalBytes: number;
  /** Distinct errors kept per source (least recently seen evicted, counted in errors.dropped). */
  maxErrorsPerSource: number;
  /** Characters of an error's stack kept (the head: the top frames are the useful part). */
  maxStackChars: number;
  /** Attributes read per data point; the rest are dropped and counted. */
  maxAttributesPerPoint: number;
  /** Characters of one attribute value; a longer value drops the attribute (counted). */
  maxAttributeValueChars: number;
  /** Buckets of one histogram data point (explicit or exponential). */
  maxBucketsPerPoint: number;
  /** Cumulative streams (distinct start times: restarts, several processes) kept per series before the oldest is folded. */
  maxStreamsPerSeries: number;
  /** Bytes of a request body as sent (compressed or not). */
  maxBodyBytes: number;
  /** Bytes of a gzip body once inflated. */
  maxInflatedBytes: number;
  /** Request bytes buffered at once over all connections; beyond it requests get 503 + Retry-After. */
  maxInFlightBytes: number;
  /** Milliseconds of decoding and aggregation per second the intake may spend; beyond it requests get 429 + Retry-After. */
  busyMsPerSecond: number;
}

export const DEFAULT_LIMITS: Readonly<IntakeLimits> = Object.freeze({
  maxSources: 32,
  maxMetricsPerSource: 200,
  maxSeriesPerSource: 2_000,
  maxSeriesPerMetric: 500,
  maxBytesPerSource: 4 * 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  maxErrorsPerSource: 20,
  maxStackChars: 6_000,
  maxAttributesPerPoint: 16,
  maxAttributeValueChars: 256,
  maxBucketsPerPoint: 320,
  maxStreamsPerSeries: 8,
  maxBodyBytes: 4 * 1024 * 1024,
  maxInflatedBytes: 8 * 1024 * 1024,
  maxInFlightBytes: 24 * 1024 * 1024,
  busyMsPerSecond: 300,
});

/** Defaults with the given overrides; each must be a positive finite number. */
export function resolveLimits(overrides: Partial<IntakeLimits> = {}): IntakeLimits {
  const limits: IntakeLimits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
      throw new RangeError(`intake limit ${key} must be a positive number, got ${String(value)}`);
  }
  return limits;
}
