import { coarseProblem, exponentialToCoarse, summaryProblem, type CoarseHistogram } from './histogram-merge.js';
import type { AttributeReader } from './ingest-attributes.js';
import type { IntakeLimits } from './limits.js';
import { double, enumNumber, int64, isObj, list, text, type Obj } from './otlp-values.js';
import { readIdentity } from './resource-identity.js';
import type { NameChecker } from './safe-names.js';
import type { SourceRegistry, SourceSink } from './source-registry.js';
import { CUMULATIVE, DELTA, type CounterSeries, type HistogramSeries } from './series.js';
import type { SourceStore } from './source-store.js';

// Walks an ExportMetricsServiceRequest (decoded protobuf or OTLP/JSON: same field names)
// into the sources' stores. What is kept: monotonic sums (counters) and histograms
// (explicit and exponential). Gauges, non-monotonic sums and summaries are not
// collected: their points are counted, by kind, among the source's drops.
//
// Problems with the data itself (a negative counter, a histogram whose counts do not
// add up, an element of the wrong JSON type) reject that element only: it is counted
// among the rejected points the answer reports (OTLP partial success), the rest is
// kept. Only a body that is not a request at all is a BadRequest (HTTP 400).

export class BadRequest extends Error {
  override name = 'BadRequest';
}

export interface IngestOutcome {
  /** Data points (or log records) taken: kept, held, or dropped by Candor's rules. */
  accepted: number;
  /** Invalid ones, reported back to the sender in the partial-success answer. */
  rejected: number;
  /** The first problem, for the answer's error_message ('' when none). */
  message: string;
}

export interface IngestDeps {
  readonly registry: SourceRegistry;
  readonly names: NameChecker;
  readonly limits: IntakeLimits;
  readonly attributes: AttributeReader;
}

export const TEMPORALITY: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: DELTA,
  AGGREGATION_TEMPORALITY_CUMULATIVE: CUMULATIVE,
};

/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the point only says "no value here". */
const NO_RECORDED_VALUE = 1;

export function reject(outcome: IngestOutcome, n: number, message: string): void {
  outcome.rejected += n;
  if (outcome.message === '') outcome.message = message;
}

function pointsOf(data: unknown): number {
  if (!isObj(data)) return 0;
  const points = list(data['dataPoints']);
  return points === null ? 0 : points.length;
}

function metricPoints(m: unknown): number {
  if (!isObj(m)) return 1;
  return (
    pointsOf(m['sum']) + pointsOf(m['gauge']) + pointsOf(m['histogram']) + pointsOf(m['exponentialHistogram']) + pointsOf(m['summary'])
  );
}

/** Data points in a list of ScopeMetrics, as far as they can be counted. */
export function countScopePoints(scopes: readonly unknown[] | null): number {
  let n = 0;
  for (const scope of scopes ?? []) {
    const metrics = isObj(scope) ? list(scope['metrics']) : null;
    for (const m of metrics ?? []) n += metricPoints(m);
  }
  return n;
}

export function ingestMetrics(request: unknown, deps: IngestDeps): IngestOutcome {
  if (!isObj(request)) throw new BadRequest('the body is not an ExportMetricsServiceRequest object');
  const resources = list(request['resourceMetrics']);
  if (resources === null) throw new BadRequest('resourceMetrics must be an array');
  const outcome: IngestOutcome = { accepted: 0, rejected: 0, message: '' };
  for (let r = 0; r < resources.length; r++) {
    const rm = resources[r];
    if (!isObj(rm)) {
      reject(outcome, 1, `resourceMetrics[${r}] is not an object`);
      continue;
    }
    const scopes = list(rm['scopeMetrics']);
    if (scopes === null) {
      reject(outcome, 1, `resourceMetrics[${r}].scopeMetrics must be an array`);
      continue;
    }
    const identity = readIdentity(rm['resource'], deps.names);
    if (!identity.ok) {
      const n = countScopePoints(scopes);
      deps.registry.countRefused(identity.reason, n);
      reject(outcome, n, identity.message);
      continue;
    }
    const sink = deps.registry.sink(identity.identity);
    if (sink === null || sink.store === null) {
      const n = countScopePoints(scopes);
      if (sink === null) deps.registry.countRefused('too_many_sources', n);
      else if (sink.state !== 'denied') deps.registry.countRefused('memory_limit', n);
      sink?.received(n, 0, 0);
      outcome.accepted += n;
      continue;
    }
    const before = outcome.accepted + outcome.rejected;
    for (let s = 0; s < scopes.length; s++) {
      const scope = scopes[s];
      const metrics = isObj(scope) ? list(scope['metrics']) : null;
      if (metrics === null) {
        reject(outcome, 1, `resourceMetrics[${r}].scopeMetrics[${s}] is not a ScopeMetrics object`);
        continue;
      }
      for (let m = 0; m < metrics.length; m++) {
        ingestMetric(metrics[m], sink, sink.store, deps, outcome, `resourceMetrics[${r}].scopeMetrics[${s}].metrics[${m}]`);
      }
    }
    sink.received(outcome.accepted + outcome.rejected - before, 0, 0);
  }
  return outcome;
}

function ingestMetric(metric: unknown, sink: SourceSink, store: SourceStore, deps: IngestDeps, outcome: IngestOutcome, path: string): void {
  if (!isObj(metric)) {
    reject(outcome, 1, `${path} is not a Metric object`);
    return;
  }
  const n = metricPoints(metric);
  const notCollected = (reason: string): void => {
    store.count(reason, n);
    outcome.accepted += n;
  };
  let kind: 'counter' | 'histogram';
  let data: Obj;
  let exponential = false;
  if (isObj(metric['sum'])) {
    data = metric['sum'];
    if (data['isMonotonic'] !== true) return notCollected('not_collected_non_monotonic_sum');
    kind = 'counter';
  } else if (isObj(metric['histogram'])) {
    data = metric['histogram'];
    kind = 'histogram';
  } else if (isObj(metric['exponentialHistogram'])) {
    data = metric['exponentialHistogram'];
    kind = 'histogram';
    exponential = true;
  } else if (isObj(metric['gauge'])) {
    return notCollected('not_collected_gauge');
  } else if (isObj(metric['summary'])) {
    return notCollected('not_collected_summary');
  } else {
    return; // a metric without data: nothing to take
  }
  const name = text(metric['name']);
  if (name === null) return reject(outcome, n, `${path}.name is not a string`);
  const nameProblem = deps.names.name(name);
  if (nameProblem !== null) return notCollected(`metric_name_${nameProblem}`);
  let unit = text(metric['unit']);
  if (unit === null) return reject(outcome, n, `${path}.unit is not a string`);
  const unitProblem = deps.names.unit(unit);
  if (unitProblem !== null) {
    store.count(`unit_${unitProblem}`, n);
    unit = '';
  }
  const temporality = enumNumber(data['aggregationTemporality'], TEMPORALITY);
  if (temporality !== DELTA && temporality !== CUMULATIVE)
    return reject(outcome, n, `${path}: aggregationTemporality must be DELTA (1) or CUMULATIVE (2)`);
  const points = list(data['dataPoints']);
  if (points === null) return reject(outcome, 1, `${path}: dataPoints must be an array`);
  const state = store.metric(name, kind, unit, points.length);
  if (state === null) {
    outcome.accepted += points.length; // dropped and counted by the store
    return;
  }
  const reader = deps.attributes;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (!isObj(p)) {
      reject(outcome, 1, `${path}.dataPoints[${i}] is not an object`);
      continue;
    }
    let value = 0;
    let histogram: CoarseHistogram | null = null;
    if (kind === 'counter') {
      value = p['asInt'] !== undefined && p['asInt'] !== null ? int64(p['asInt']) : double(p['asDouble']);
      if (!(value >= 0 && value < Infinity)) {
        reject(outcome, 1, `${path}.dataPoints[${i}]: a monotonic sum needs a finite value >= 0`);
        continue;
      }
    } else {
      if ((Number(p['flags']) & NO_RECORDED_VALUE) !== 0) {
        outcome.accepted++;
        continue;
      }
      const read = exponential ? readExponential(p, deps.limits) : readExplicit(p, deps.limits);
      if (typeof read === 'string') {
        if (read === 'too_many_buckets') {
          store.count(read);
          outcome.accepted++;
        } else reject(outcome, 1, `${path}.dataPoints[${i}]: ${read}`);
        continue;
      }
      histogram = read;
    }
    if (!reader.read(p['attributes'], sink.categories, store)) {
      reject(outcome, 1, `${path}.dataPoints[${i}].attributes must be an array`);
      continue;
    }
    outcome.accepted++;
    const series = state.series.find(reader.keys, reader.values, reader.n) ?? store.newSeries(state, reader);
    if (series === null) continue;
    // Only a cumulative point's start time tells its streams apart: a delta is just added.
    const startNs = temporality === CUMULATIVE ? int64(p['startTimeUnixNano']) : 0;
    const start = Number.isNaN(startNs) ? 0 : startNs;
    if (histogram === null) store.addCounter(state, series as CounterSeries, temporality, start, value);
    else store.addHistogram(series as HistogramSeries, temporality, start, histogram);
  }
}

function optionalDouble(value: unknown): number {
  return value === undefined || value === null ? NaN : double(value);
}

/** Doubles of a list (protobuf gives numbers; JSON numbers or "NaN"/"Infinity"); null when one is not. */
function doubles(items: readonly unknown[]): number[] | null {
  const out = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const n = typeof v === 'number' ? v : double(v);
    if (Number.isNaN(n)) return null;
    out[i] = n;
  }
  return out;
}

/** Non-negative integer counts of a list (protobuf Longs, JSON strings or numbers); null when one is not. */
function counts(items: readonly unknown[]): number[] | null {
  const out = new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    const n = typeof v === 'number' ? v : int64(v);
    if (!(n >= 0) || !Number.isInteger(n)) return null;
    out[i] = n;
  }
  return out;
}

function readExplicit(p: Obj, limits: IntakeLimits): CoarseHistogram | string {
  const boundsList = list(p['explicitBounds']);
  const countsList = list(p['bucketCounts']);
  if (boundsList === null || countsList === null) return 'explicitBounds and bucketCounts must be arrays';
  if (countsList.length > limits.maxBucketsPerPoint) return 'too_many_buckets';
  const count = int64(p['count']);
  if (!(count >= 0)) return 'count must be a non-negative integer';
  const bounds = doubles(boundsList);
  let bucketCounts = counts(countsList);
  if (bounds === null || bucketCounts === null) return 'explicitBounds must be numbers and bucketCounts non-negative integers';
  // No buckets at all is allowed: one bucket holding every value.
  if (bounds.length === 0 && bucketCounts.length === 0) bucketCounts = [count];
  const h = {
    bounds,
    counts: bucketCounts,
    count,
    sum: optionalDouble(p['sum']),
    min: optionalDouble(p['min']),
    max: optionalDouble(p['max']),
  };
  return coarseProblem(h) ?? h;
}

function readExponential(p: Obj, limits: IntakeLimits): CoarseHistogram | string {
  const scale = p['scale'] === undefined || p['scale'] === null ? 0 : p['scale'];
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < -10 || scale > 20) return 'scale must be an integer from -10 to 20';
  const positive = isObj(p['positive']) ? p['positive'] : {};
  const negative = isObj(p['negative']) ? p['negative'] : {};
  const pos = list(positive['bucketCounts']);
  const neg = list(negative['bucketCounts']);
  if (pos === null || neg === null) return 'bucketCounts must be arrays';
  if (pos.length + 3 > limits.maxBucketsPerPoint) return 'too_many_buckets';
  const offset = positive['offset'] === undefined || positive['offset'] === null ? 0 : positive['offset'];
  if (typeof offset !== 'number' || !Number.isInteger(offset)) return 'positive.offset must be an integer';
  const positives = counts(pos);
  const negatives = counts(neg);
  const zeroCount = p['zeroCount'] === undefined || p['zeroCount'] === null ? 0 : int64(p['zeroCount']);
  const count = int64(p['count']);
  if (positives === null || negatives === null || !(zeroCount >= 0) || !(count >= 0)) return 'counts must be non-negative integers';
  let negativeTotal = 0;
  for (const c of negatives) negativeTotal += c;
  let total = zeroCount + negativeTotal;
  for (const c of positives) total += c;
  const h = exponentialToCoarse({
    scale,
    zeroCount,
    negativeTotal,
    offset,
    counts: positives,
    count,
    sum: optionalDouble(p['sum']),
    min: optionalDouble(p['min']),
    max: optionalDouble(p['max']),
  });
  if (h === null) return 'the buckets lie outside the range of numbers';
  // Bounds made here and counts checked by counts(): only the totals are left to check.
  return summaryProblem(h, total) ?? h;
}
