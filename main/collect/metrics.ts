import type { MetricDetail, TimerStats } from '../report/payload-schema.js';
import {
  BUCKETS,
  COUNT,
  LE_SLOT_OF_BUCKET,
  LE_SLOTS,
  MAX,
  MIN,
  SUM,
  bucketIndex,
  cumulativeLeCounts,
  mergeInto,
  newSeriesArray,
  timerStats,
} from './histogram.js';
import { assertMetricName, canonicalLabels, exposedNames } from './metric-names.js';
import { labelText } from './prometheus-escape.js';

// Performance counters. Labels are resolved once, in bind(); a bound handle's add /
// record touches only typed arrays it already holds: no map lookup, no string work,
// no allocation. Each handle kind is one class, so hot call sites stay monomorphic.

export type Labels = Readonly<Record<string, string>>;

export interface CounterHandle {
  /** Adds n (default 1). Counters only go up: negative, NaN and infinite n are ignored. */
  add(n?: number): void;
}

export interface HistogramHandle {
  /** Records one value (ms by convention). NaN and ±Infinity are ignored; values <= 0 share the zero bucket. */
  record(value: number): void;
  /** Starts a clock; the returned stop function records the elapsed ms once and returns it (later calls return the same value). */
  startTimer(): () => number;
}

export interface Counter extends CounterHandle {
  readonly name: string;
  bind(labels: Labels): CounterHandle;
}

export interface Histogram extends HistogramHandle {
  readonly name: string;
  bind(labels: Labels): HistogramHandle;
}

export interface CounterSeriesSnapshot {
  readonly labels: Labels;
  /** Escaped `a="x",b="y"` without braces, '' for no labels; cached at bind time. */
  readonly labelText: string;
  readonly value: number;
}

export interface HistogramSeriesSnapshot {
  readonly labels: Labels;
  readonly labelText: string;
  readonly count: number;
  readonly sum: number;
  /** Cumulative counts at each PROMETHEUS_LE_MS boundary (exact: those are fine-bucket boundaries). */
  readonly buckets: readonly number[];
}

export type MetricSnapshot =
  | { readonly kind: 'counter'; readonly name: string; readonly help: string; readonly series: CounterSeriesSnapshot[] }
  | { readonly kind: 'histogram'; readonly name: string; readonly help: string; readonly series: HistogramSeriesSnapshot[] };

/**
 * The values each label may take, declared with the metric: they leave the machine as
 * categories (a value outside the list is recorded as `other`). Labels a metric does
 * not declare leave only as per-start hashes.
 */
export type DeclaredLabels = Readonly<Record<string, readonly string[]>>;

export interface MetricOptions {
  labels?: DeclaredLabels;
}

export const OTHER_LABEL_VALUE = 'other';

export interface MetricsRegistryOptions {
  /** Label sets kept per metric (default 1000); further label sets share one {overflow:"true"} series. */
  maxSeriesPerMetric?: number;
}

export const OVERFLOW_LABELS: Labels = Object.freeze({ overflow: 'true' });
/** Counts label sets refused by the cardinality guard, by metric; registered on first overflow. */
export const OVERFLOW_METRIC = 'candor_metrics_series_overflow_total';

const COUNTER_CHUNK = 64;

class CounterSeries implements CounterHandle {
  constructor(
    readonly labels: Labels,
    readonly labelText: string,
    private readonly store: Float64Array,
    private readonly slot: number,
  ) {}

  add(n = 1): void {
    // One comparison pair rejects NaN (both false), negatives and +Infinity.
    if (n >= 0 && n < Infinity) this.store[this.slot] = (this.store[this.slot] as number) + n;
  }

  get value(): number {
    return this.store[this.slot] as number;
  }
}

class HistogramSeries implements HistogramHandle {
  readonly data: Float64Array = newSeriesArray();

  constructor(
    readonly labels: Labels,
    readonly labelText: string,
  ) {}

  record(value: number): void {
    if (value - value !== 0) return; // NaN, +Infinity, -Infinity
    const a = this.data;
    const fine = bucketIndex(value);
    const b = BUCKETS + fine;
    const le = LE_SLOTS + (LE_SLOT_OF_BUCKET[fine] as number);
    a[b] = (a[b] as number) + 1;
    a[le] = (a[le] as number) + 1;
    a[COUNT] = (a[COUNT] as number) + 1;
    a[SUM] = (a[SUM] as number) + value;
    if (value < (a[MIN] as number)) a[MIN] = value;
    if (value > (a[MAX] as number)) a[MAX] = value;
  }

  startTimer(): () => number {
    const started = performance.now();
    let elapsed = -1;
    return () => {
      if (elapsed < 0) {
        elapsed = performance.now() - started;
        this.record(elapsed);
      }
      return elapsed;
    };
  }
}

/** Label-set bookkeeping shared by both kinds: canonical keys, cardinality guard, overflow series. */
class SeriesTable<S> {
  private readonly byKey = new Map<string, S>();
  readonly list: S[] = [];
  overflow: S | undefined;

  constructor(
    private readonly metric: string,
    private readonly max: number,
    private readonly reserved: readonly string[],
    private readonly make: (labels: Labels) => S,
    private readonly onOverflow: () => void,
    readonly declared: DeclaredLabels = {},
  ) {}

  bind(labels: Labels): S {
    const { labels: clean, key } = canonicalLabels(this.metric, this.categorize(labels), this.reserved);
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    if (this.list.length >= this.max) {
      this.onOverflow();
      this.overflow ??= this.make(OVERFLOW_LABELS);
      return this.overflow;
    }
    const series = this.make(clean);
    this.byKey.set(key, series);
    this.list.push(series);
    return series;
  }

  all(): S[] {
    return this.overflow === undefined ? this.list : [...this.list, this.overflow];
  }

  /** A declared label's value outside its list becomes `other`, so only listed values are ever stored. */
  private categorize(labels: Labels): Labels {
    let out: Record<string, string> | null = null;
    for (const [key, allowed] of Object.entries(this.declared)) {
      const value = labels[key];
      if (value === undefined || allowed.includes(value)) continue;
      out ??= { ...labels };
      out[key] = OTHER_LABEL_VALUE;
    }
    return out ?? labels;
  }

  /** Splits a series' labels into declared categories and the rest (which leave only hashed). */
  split(labels: Labels): { labels: Record<string, string>; hashed_labels: Record<string, string> } {
    const declared: Record<string, string> = {};
    const hashed: Record<string, string> = {};
    for (const [key, value] of Object.entries(labels)) {
      if (Object.hasOwn(this.declared, key) || (key === 'overflow' && value === 'true')) declared[key] = value;
      else hashed[key] = value;
    }
    return { labels: declared, hashed_labels: hashed };
  }
}

const NO_LABELS: Labels = Object.freeze({});

class CounterMetric implements Counter {
  private readonly chunks: Float64Array[] = [];
  private used = 0;
  private root: CounterSeries | undefined;
  readonly table: SeriesTable<CounterSeries>;

  constructor(
    readonly name: string,
    readonly help: string,
    max: number,
    onOverflow: () => void,
    declared?: DeclaredLabels,
  ) {
    this.table = new SeriesTable(name, max, [], (labels) => this.newSeries(labels), onOverflow, declared);
  }

  private newSeries(labels: Labels): CounterSeries {
    const slot = this.used++ % COUNTER_CHUNK;
    if (slot === 0) this.chunks.push(new Float64Array(COUNTER_CHUNK));
    return new CounterSeries(labels, labelText(labels), this.chunks[this.chunks.length - 1] as Float64Array, slot);
  }

  add(n?: number): void {
    (this.root ??= this.table.bind(NO_LABELS)).add(n);
  }

  bind(labels: Labels): CounterHandle {
    return this.table.bind(labels);
  }

  total(): number {
    let sum = 0;
    for (const s of this.table.all()) sum += s.value;
    return sum;
  }
}

class HistogramMetric implements Histogram {
  private root: HistogramSeries | undefined;
  readonly table: SeriesTable<HistogramSeries>;

  constructor(
    readonly name: string,
    readonly help: string,
    max: number,
    onOverflow: () => void,
    declared?: DeclaredLabels,
  ) {
    this.table = new SeriesTable(name, max, ['le'], (labels) => new HistogramSeries(labels, labelText(labels)), onOverflow, declared);
  }

  private rootSeries(): HistogramSeries {
    return (this.root ??= this.table.bind(NO_LABELS));
  }

  record(value: number): void {
    this.rootSeries().record(value);
  }

  startTimer(): () => number {
    return this.rootSeries().startTimer();
  }

  bind(labels: Labels): HistogramHandle {
    return this.table.bind(labels);
  }

  merged(): Float64Array {
    const out = newSeriesArray();
    for (const s of this.table.all()) mergeInto(out, s.data);
    return out;
  }
}

type Metric = CounterMetric | HistogramMetric;

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  /** Exposition name -> registered name, so two metrics can never print the same sample name. */
  private readonly exposed = new Map<string, string>();
  private readonly maxSeries: number;
  private overflowCounter: CounterMetric | undefined;
  /** Every registered metric name, in order (appended to, never replaced). */
  private readonly names: string[] = [];

  constructor(options: MetricsRegistryOptions = {}) {
    const max = options.maxSeriesPerMetric ?? 1000;
    if (!Number.isInteger(max) || max < 1) throw new Error(`maxSeriesPerMetric must be a positive integer, got ${String(max)}`);
    this.maxSeries = max;
  }

  counter(name: string, help: string, options: MetricOptions = {}): Counter {
    const existing = this.lookup(name, 'counter');
    if (existing instanceof CounterMetric) return existing;
    const metric = new CounterMetric(name, help, this.maxSeries, () => this.countOverflow(name), options.labels);
    this.register(metric, 'counter');
    return metric;
  }

  /** Values are milliseconds by convention unless the name says otherwise (the le buckets are ms-shaped). */
  histogram(name: string, help: string, options: MetricOptions = {}): Histogram {
    const existing = this.lookup(name, 'histogram');
    if (existing instanceof HistogramMetric) return existing;
    const metric = new HistogramMetric(name, help, this.maxSeries, () => this.countOverflow(name), options.labels);
    this.register(metric, 'histogram');
    return metric;
  }

  /** Per histogram name, aggregated over all label sets. */
  timers(): Record<string, TimerStats> {
    const out: Record<string, TimerStats> = {};
    for (const m of this.metrics.values()) if (m instanceof HistogramMetric) out[m.name] = timerStats(m.merged());
    return out;
  }

  /** Per counter name, summed over all label sets. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.metrics.values()) if (m instanceof CounterMetric) out[m.name] = m.total();
    return out;
  }

  /** Every series of every metric, registration order, overflow series last. */
  detail(): MetricDetail[] {
    const out: MetricDetail[] = [];
    for (const m of this.metrics.values()) {
      if (m instanceof CounterMetric) {
        for (const s of m.table.all()) out.push({ name: m.name, kind: 'counter', ...m.table.split(s.labels), value: s.value });
      } else {
        for (const s of m.table.all()) out.push({ name: m.name, kind: 'histogram', ...m.table.split(s.labels), stats: timerStats(s.data) });
      }
    }
    return out;
  }

  snapshot(): MetricSnapshot[] {
    const out: MetricSnapshot[] = [];
    for (const m of this.metrics.values()) {
      if (m instanceof CounterMetric) {
        const series = m.table.all().map((s) => ({ labels: s.labels, labelText: s.labelText, value: s.value }));
        out.push({ kind: 'counter', name: m.name, help: m.help, series });
      } else {
        const series = m.table.all().map((s) => ({
          labels: s.labels,
          labelText: s.labelText,
          count: s.data[COUNT] as number,
          sum: s.data[SUM] as number,
          buckets: cumulativeLeCounts(s.data),
        }));
        out.push({ kind: 'histogram', name: m.name, help: m.help, series });
      }
    }
    return out;
  }

  /** Label sets refused by the cardinality guard so far, per metric (only metrics that overflowed). */
  overflows(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.overflowCounter === undefined) return out;
    for (const s of this.overflowCounter.table.all()) {
      const metric = s.labels['metric'];
      if (metric !== undefined) out[metric] = s.value;
    }
    return out;
  }

  private lookup(name: string, kind: 'counter' | 'histogram'): Metric | undefined {
    assertMetricName(name);
    const existing = this.metrics.get(name);
    if (existing === undefined) return undefined;
    const existingKind = existing instanceof CounterMetric ? 'counter' : 'histogram';
    if (existingKind !== kind)
      throw new Error(`metric ${name} is already registered as a ${existingKind}, cannot register it as a ${kind}`);
    return existing;
  }

  private register(metric: Metric, kind: 'counter' | 'histogram'): void {
    const names = exposedNames(kind, metric.name);
    for (const exposed of names) {
      const owner = this.exposed.get(exposed);
      if (owner !== undefined) throw new Error(`metric ${metric.name} would be exposed as ${exposed}, which metric ${owner} already uses`);
    }
    for (const exposed of names) this.exposed.set(exposed, metric.name);
    this.metrics.set(metric.name, metric);
    this.names.push(metric.name);
  }

  private countOverflow(metric: string): void {
    if (metric === OVERFLOW_METRIC) return; // its own guard tripping must not recurse
    this.overflowCounter ??= this.counter(
      OVERFLOW_METRIC,
      'Label sets refused by the cardinality guard (their data went to the {overflow="true"} series), by metric.',
      // Metric names are defined in code: the live list of them is this label's declared values.
      { labels: { metric: this.names } },
    ) as CounterMetric;
    this.overflowCounter.bind({ metric }).add(1);
  }
}

/** Candor instruments itself here; exported so an embedding app can add its own metrics. */
export const defaultRegistry: MetricsRegistry = new MetricsRegistry();
