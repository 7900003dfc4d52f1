import { ErrorCapture, MAX_MESSAGE_CHARS, MAX_TYPE_CHARS, truncate } from '../collect/errors.js';
import { mergeInto, newSeriesArray, timerStats } from '../collect/histogram.js';
import type { RecordedErrors } from '../collect/error-records.js';
import type { TimerStats } from '../report/payload-schema.js';
import type { CoarseHistogram } from './histogram-merge.js';
import type { IntakeLimits } from './limits.js';
import { CounterSeries, HistogramSeries, SERIES_BASE_BYTES, type SeriesLabels } from './series.js';
import { reportedUnit } from './units.js';
import { INDEX_NODE_BYTES, SeriesIndex } from './series-index.js';
import type { AttributeReader } from './ingest-attributes.js';

// One source's aggregates: metrics by name, series by label set, error logs, and the
// count of everything dropped by reason. Every allocation is charged to an estimated
// byte budget (the source's and the intake's), and what does not fit is dropped and
// counted, never stored.

export type MetricKind = 'counter' | 'histogram';

/** A source's timer: Candor's own timer summary (with its non-empty buckets) and the metric's unit. */
export type RawSourceTimer = TimerStats & { unit: string };

export interface RawSourceSeries {
  name: string;
  kind: MetricKind;
  unit: string;
  labels: SeriesLabels;
  /** Counters only. */
  value?: number;
  /** Histograms only. */
  stats?: TimerStats;
}

/** Shared between every store of one intake: the total estimated bytes. */
export interface ByteBudget {
  used: number;
  readonly max: number;
}

class MetricState {
  readonly series = new SeriesIndex<CounterSeries | HistogramSeries>();
  constructor(
    readonly name: string,
    readonly kind: MetricKind,
    /** The unit the app states, compared on every point. */
    readonly appUnit: string,
    readonly unit: string,
    readonly scale: number,
  ) {}
}

const STORE_BASE_BYTES = 2048;

export class SourceStore {
  readonly metrics = new Map<string, MetricState>();
  private readonly dropped = new Map<string, number>();
  readonly errors: ErrorCapture;
  private seriesCount = 0;
  private bytes: number;

  constructor(
    private readonly limits: IntakeLimits,
    private readonly budget: ByteBudget,
    now: () => Date,
  ) {
    this.errors = new ErrorCapture({ capacity: limits.maxErrorsPerSource, now });
    // Error texts are bounded by truncation: their worst case is reserved up front.
    this.bytes = 0;
    this.charge(SourceStore.baseBytes(limits));
  }

  /** What a new store takes from the budget before any data: whether one more fits. */
  static baseBytes(limits: IntakeLimits): number {
    return limits.maxErrorsPerSource * (MAX_TYPE_CHARS + MAX_MESSAGE_CHARS + limits.maxStackChars + 400) * 2 + STORE_BASE_BYTES;
  }

  get estimatedBytes(): number {
    return this.bytes;
  }

  count(reason: string, n = 1): void {
    if (n === 0) return;
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + n);
  }

  droppedCounts(): Record<string, number> {
    return Object.fromEntries([...this.dropped].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Gives back every byte this store took (the source was denied or forgotten). */
  release(): void {
    this.budget.used -= this.bytes;
    this.bytes = 0;
    this.metrics.clear();
  }

  /** Charges bytes when both budgets allow them; false (nothing charged) otherwise. */
  private fits(bytes: number): boolean {
    if (bytes > 0 && (this.bytes + bytes > this.limits.maxBytesPerSource || this.budget.used + bytes > this.budget.max)) return false;
    this.charge(bytes);
    return true;
  }

  private charge(bytes: number): void {
    this.bytes += bytes;
    this.budget.used += bytes;
  }

  /** The metric of that name and kind, created when there is room; null (counted) when not. */
  metric(name: string, kind: MetricKind, appUnit: string, points: number): MetricState | null {
    const existing = this.metrics.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind) return this.refuse('kind_conflict', points);
      if (existing.appUnit !== appUnit) return this.refuse('unit_conflict', points);
      return existing;
    }
    if (this.metrics.size >= this.limits.maxMetricsPerSource) return this.refuse('metric_limit', points);
    if (!this.fits(160 + name.length * 2)) return this.refuse('memory_limit', points);
    const { unit, scale } = reportedUnit(appUnit);
    const metric = new MetricState(name, kind, appUnit, unit, scale);
    this.metrics.set(name, metric);
    return metric;
  }

  private refuse(reason: string, n = 1): null {
    this.count(reason, n);
    return null;
  }

  /** A new series for the label set the reader holds, or null (counted) when a limit is reached. */
  newSeries(metric: MetricState, reader: AttributeReader): CounterSeries | HistogramSeries | null {
    if (metric.series.size >= this.limits.maxSeriesPerMetric || this.seriesCount >= this.limits.maxSeriesPerSource)
      return this.refuse('series_limit');
    // Worst case: every pair makes a trie node; labels hold the same strings again.
    if (!this.fits(SERIES_BASE_BYTES + reader.n * INDEX_NODE_BYTES + reader.chars * 4)) return this.refuse('memory_limit');
    const labels = reader.labels();
    const series =
      metric.kind === 'counter'
        ? new CounterSeries(labels, this.limits.maxStreamsPerSeries)
        : new HistogramSeries(labels, this.limits.maxStreamsPerSeries, metric.scale);
    metric.series.insert(reader.keys, reader.values, reader.n, series);
    this.seriesCount++;
    return series;
  }

  addCounter(metric: MetricState, series: CounterSeries, temporality: number, start: number, value: number): void {
    const bytes = series.add(temporality, start, value * metric.scale);
    if (bytes !== 0) this.charge(bytes);
  }

  /** False (counted) when the point does not fit the memory budget. */
  addHistogram(series: HistogramSeries, temporality: number, start: number, h: CoarseHistogram): boolean {
    // Charged after the fact: one point's growth is bounded by maxBucketsPerPoint, and
    // a store already over budget takes no more points.
    if (this.bytes > this.limits.maxBytesPerSource || this.budget.used > this.budget.max) {
      this.count('memory_limit');
      return false;
    }
    const bytes = series.add(temporality, start, h);
    if (bytes !== 0) this.charge(bytes);
    return true;
  }

  recordError(type: string, message: string, stack: string): void {
    this.errors.record({ source: 'app', kind: 'reported', type, message, stack: truncate(stack, this.limits.maxStackChars) });
  }

  /** Counters summed, timers merged and each series' detail, in one pass: a histogram series is merged once. */
  aggregates(): { counters: Record<string, number>; timers: Record<string, RawSourceTimer>; detail: RawSourceSeries[] } {
    const counters: Record<string, number> = {};
    const timers: Record<string, RawSourceTimer> = {};
    const detail: RawSourceSeries[] = [];
    for (const m of this.metrics.values()) {
      if (m.series.size === 0) continue;
      const all = m.kind === 'histogram' ? newSeriesArray() : null;
      let sum = 0;
      for (const s of m.series.values()) {
        const labels = { categories: { ...s.labels.categories }, hashed: { ...s.labels.hashed } };
        if (s instanceof CounterSeries) {
          const value = s.total();
          sum += value;
          detail.push({ name: m.name, kind: 'counter', unit: m.unit, labels, value });
        } else {
          const merged = s.merged();
          if (all !== null) mergeInto(all, merged);
          detail.push({ name: m.name, kind: 'histogram', unit: m.unit, labels, stats: timerStats(merged) });
        }
      }
      if (all === null) counters[m.name] = sum;
      else timers[m.name] = { ...timerStats(all), unit: m.unit };
    }
    return { counters, timers, detail };
  }

  errorsSection(): RecordedErrors {
    return this.errors.section();
  }
}
