import { mergedPercentiles } from './percentiles.js';
import type { Aggregates, Cell, CounterAggregate, Distribution, ErrorGroup, SourceAggregates, TimerAggregate } from './aggregates-types.js';
import type { AggregateInputs, AggregateWindow, DimCount } from './store/store.js';

export type { Aggregates, Cell, CounterAggregate, Distribution, ErrorGroup, SourceAggregates, TimerAggregate };

// What GET /v1/aggregates answers, computed the same way whatever the store. Every
// cell (a distribution value, a timer, a counter, an error group, a version within an
// error group, a whole source) is backed by `reports`: the number of distinct reports
// (the latest of each instance) that have it. A cell with fewer than min_group_size is
// left out and only counted in `suppressed`, so no answer can single out a machine.

const byReportsThenName =
  <T extends { reports: number }>(name: (item: T) => string) =>
  (a: T, b: T): number =>
    b.reports - a.reports || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

function distributions(dims: readonly DimCount[], order: readonly string[], k: number): Distribution[] {
  const out = new Map<string, Distribution>();
  for (const dim of order) out.set(dim, { dim, cells: [], suppressed: 0 });
  for (const d of dims) {
    let dist = out.get(d.dim);
    if (dist === undefined) {
      dist = { dim: d.dim, cells: [], suppressed: 0 };
      out.set(d.dim, dist);
    }
    if (d.n >= k) dist.cells.push({ value: d.value, reports: d.n });
    else dist.suppressed += 1;
  }
  for (const dist of out.values()) dist.cells.sort(byReportsThenName((c: Cell) => c.value));
  return [...out.values()];
}

const AGENT_DIMS = [
  'os',
  'arch',
  'distro',
  'cpu_vendor',
  'cpu_cores',
  'ram_gib',
  'disk_type',
  'disk_size_gb',
  'gpu_vendor',
  'virtualization',
  'candor_version',
  'app_mode',
  'source',
];
const SOURCE_DIMS = ['source_version', 'source_sdk'];

export function computeAggregates(inputs: AggregateInputs, options: { minGroupSize: number; window: AggregateWindow }): Aggregates {
  const k = options.minGroupSize;
  let suppressed = 0;
  const count = (n: number): boolean => {
    if (n >= k) return true;
    suppressed += 1;
    return false;
  };

  const bucketsOf = new Map<string, [number, number][]>();
  for (const b of inputs.buckets) {
    const key = `${b.source}\u0000${b.metric}`;
    const list = bucketsOf.get(key) ?? [];
    list.push([b.index, b.count]);
    bucketsOf.set(key, list);
  }
  const timers = (source: string): TimerAggregate[] =>
    inputs.timers
      .filter((t) => t.source === source && count(t.n))
      .map((t) => {
        const merged = mergedPercentiles(bucketsOf.get(`${t.source}\u0000${t.metric}`) ?? [], t.min, t.max);
        return {
          metric: t.metric,
          reports: t.n,
          count: t.count,
          min: t.min,
          max: t.max,
          mean: t.count > 0 ? t.sum / t.count : 0,
          p50: merged.p50,
          p95: merged.p95,
          p99: merged.p99,
          histogram_count: merged.count,
        };
      })
      .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));

  const counters = (source: string): CounterAggregate[] =>
    inputs.counters
      .filter((c) => c.source === source && count(c.n))
      .map((c) => ({ metric: c.metric, reports: c.n, total: c.total }))
      .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));

  const groupKey = (e: { source: string; type: string; code: string; message: string; top_frame: string }): string =>
    [e.source, e.type, e.code, e.message, e.top_frame].join('\u0000');
  const versionsOf = new Map<string, { cells: Cell[]; suppressed: number }>();
  for (const v of inputs.errorVersions) {
    const entry = versionsOf.get(groupKey(v)) ?? { cells: [], suppressed: 0 };
    if (v.n >= k) entry.cells.push({ value: v.version, reports: v.n });
    else entry.suppressed += 1;
    versionsOf.set(groupKey(v), entry);
  }
  const errors = (source: string): ErrorGroup[] =>
    inputs.errors
      .filter((e) => e.source === source && count(e.n))
      .map((e) => {
        const versions = versionsOf.get(groupKey(e)) ?? { cells: [], suppressed: 0 };
        suppressed += versions.suppressed;
        return {
          type: e.type,
          code: e.code,
          message: e.message,
          top_frame: e.top_frame,
          reports: e.n,
          count: e.count,
          versions: [...versions.cells].sort(byReportsThenName((c: Cell) => c.value)),
          suppressed_versions: versions.suppressed,
        };
      })
      .sort(byReportsThenName((e: ErrorGroup) => `${e.type} ${e.code} ${e.message} ${e.top_frame}`));

  const agentDims = distributions(
    inputs.dims.filter((d) => d.source === ''),
    AGENT_DIMS,
    k,
  );
  for (const dist of agentDims) suppressed += dist.suppressed;

  const sources: SourceAggregates[] = [];
  const sourceCells = agentDims.find((d) => d.dim === 'source')?.cells ?? [];
  for (const cell of sourceCells) {
    const before = suppressed;
    const dims = distributions(
      inputs.dims.filter((d) => d.source === cell.value),
      SOURCE_DIMS,
      k,
    );
    for (const dist of dims) suppressed += dist.suppressed;
    sources.push({
      name: cell.value,
      reports: cell.reports,
      distributions: dims,
      timers: timers(cell.value),
      counters: counters(cell.value),
      errors: errors(cell.value),
      suppressed: 0,
    });
    const added = sources[sources.length - 1];
    if (added) added.suppressed = suppressed - before;
  }

  const result: Aggregates = {
    window: options.window,
    min_group_size: k,
    reports: inputs.reports,
    instances: inputs.instances,
    distributions: agentDims,
    timers: timers(''),
    counters: counters(''),
    errors: errors(''),
    sources,
    suppressed: 0,
  };
  result.suppressed = suppressed;
  return result;
}
