import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAggregates } from '../../collector/aggregates.js';
import { mergedPercentiles } from '../../collector/percentiles.js';
import { ClickHouseStore } from '../../collector/store/clickhouse.js';
import { DuckDbStore } from '../../collector/store/duckdb.js';
import type { AggregateInputs, AggregateWindow, ReportItem, Store } from '../../collector/store/store.js';
import { CLICKHOUSE_BINARY, CLICKHOUSE_SKIP_REASON, startClickHouse, type ClickHouseServer } from './support/clickhouse-server.js';
import { fleet, type FleetItem } from './support/fleet.js';

// The two stores answer the same queries with the same results: one seeded fleet
// (schema v2 with histograms and sources, plus v1 reports) goes into DuckDB and into a
// real ClickHouse, and every group-by, the thresholded aggregates, the duplicate
// checks, deletion and retention are compared, and checked against a plain-JS count
// of the same payloads.

const v2 = fleet({ reports: 2500, version: 2, seed: 7, sources: true });
const v1 = fleet({ reports: 500, version: 1, seed: 8 });
const all: FleetItem[] = [...v2, ...v1];

async function load(store: Store, items: readonly FleetItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 400) await store.insert(items.slice(i, i + 400).map((f) => f.item));
}

/** Inputs in a canonical order, floats rounded to 9 significant digits (the stores sum in different orders). */
function canonical(inputs: AggregateInputs): unknown {
  const round = (v: unknown): unknown => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v);
  const sort = <T extends object>(rows: readonly T[]): unknown[] =>
    rows
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)])))
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return {
    reports: inputs.reports,
    instances: inputs.instances,
    dims: sort(inputs.dims),
    timers: sort(inputs.timers),
    buckets: sort(inputs.buckets),
    counters: sort(inputs.counters),
    errors: sort(inputs.errors),
    errorVersions: sort(inputs.errorVersions),
  };
}

/** The latest payload of each instance, computed here from the generated reports. */
function latestPerInstance(items: readonly FleetItem[]): FleetItem[] {
  const latest = new Map<string, FleetItem>();
  for (const f of items) {
    const current = latest.get(f.payload.id);
    const key = (x: FleetItem): string => `${String(x.payload['generated_at'])}${x.item.reportId}`;
    if (current === undefined || key(f) > key(current)) latest.set(f.payload.id, f);
  }
  return [...latest.values()];
}

const title =
  CLICKHOUSE_BINARY === null
    ? `DuckDB and ClickHouse give the same results (${CLICKHOUSE_SKIP_REASON})`
    : 'DuckDB and ClickHouse give the same results';

describe.skipIf(CLICKHOUSE_BINARY === null)(title, () => {
  let server: ClickHouseServer;
  let duck: DuckDbStore;
  let click: ClickHouseStore;

  beforeAll(async () => {
    server = await startClickHouse();
    duck = await DuckDbStore.open({ path: ':memory:' });
    click = new ClickHouseStore({ url: server.url, database: 'parity', user: 'default', password: null, retentionDays: 365 });
    await load(duck, all);
    await load(click, all);
  }, 180_000);

  afterAll(async () => {
    await duck?.close();
    await click?.close();
    await server?.stop();
  }, 60_000);

  it('hold every report once, and call the same ones duplicates', async () => {
    const again: ReportItem[] = [...v2.slice(0, 50), ...v1.slice(0, 50)].map((f) => f.item);
    const [d, c] = await Promise.all([duck.insert(again), click.insert(again)]);
    expect(d.stored).toEqual([]);
    expect(c.stored).toEqual([]);
    expect(new Set(c.duplicates)).toEqual(new Set(d.duplicates));
    expect(d.duplicates).toHaveLength(100);
    const inputs = await duck.aggregateInputs({ since: null });
    expect(inputs.reports).toBe(new Set(all.map((f) => f.item.reportId)).size);
    expect(inputs.instances).toBe(new Set(all.map((f) => f.payload.id)).size);
  });

  it.each<[string, AggregateWindow]>([
    ['everything retained', { since: null }],
    ['since a day', { since: '2026-11-01' }],
  ])('answer the same group-bys over %s', async (_name, window) => {
    const [d, c] = await Promise.all([duck.aggregateInputs(window), click.aggregateInputs(window)]);
    expect(d.dims.length).toBeGreaterThan(20);
    expect(d.buckets.length).toBeGreaterThan(50);
    expect(canonical(c)).toEqual(canonical(d));
    const options = { minGroupSize: 5, window };
    expect(
      JSON.parse(
        JSON.stringify(computeAggregates(c, options), (_k, v: unknown) =>
          typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v,
        ),
      ),
    ).toEqual(
      JSON.parse(
        JSON.stringify(computeAggregates(d, options), (_k, v: unknown) =>
          typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v,
        ),
      ),
    );
  });

  it('count what a plain-JS pass over the latest payloads counts', async () => {
    const latest = latestPerInstance(all);
    const inputs = await click.aggregateInputs({ since: null });
    const os = new Map<string, number>();
    for (const f of latest) {
      const platform = String(((f.payload['system'] as Record<string, Record<string, unknown>>)['os'] ?? {})['platform']);
      os.set(platform, (os.get(platform) ?? 0) + 1);
    }
    const fromStore = new Map(inputs.dims.filter((d) => d.dim === 'os').map((d) => [d.value, d.n]));
    expect(fromStore).toEqual(os);

    // The agent's collect timer: merged from each instance's latest histogram.
    const metric = 'candor_collect_ms';
    const pairs: [number, number][] = [];
    let min = Infinity;
    let max = -Infinity;
    for (const f of latest.filter((x) => x.payload.schema_version === 2)) {
      const timer = ((f.payload['performance'] as Record<string, Record<string, Record<string, unknown>>>)['timers'] ?? {})[metric] ?? {};
      const histogram = timer['histogram'] as { index: number[]; count: number[] };
      histogram.index.forEach((index, i) => pairs.push([index, histogram.count[i] ?? 0]));
      min = Math.min(min, Number(timer['min']));
      max = Math.max(max, Number(timer['max']));
    }
    const expected = mergedPercentiles(pairs, min, max);
    const aggregates = computeAggregates(inputs, { minGroupSize: 5, window: { since: null } });
    const timer = aggregates.timers.find((t) => t.metric === metric);
    expect(timer?.histogram_count).toBe(expected.count);
    expect(timer?.p95).toBe(expected.p95);
    expect(timer?.p50).toBe(expected.p50);
  });

  it('delete every row of some instances, and agree on how many', async () => {
    const ids = [...new Set(all.map((f) => f.payload.id))].slice(0, 7);
    const before = await duck.countRows(ids);
    expect(before).toBeGreaterThan(0);
    expect(await click.countRows(ids)).toBe(before);
    const reports = await Promise.all(ids.map((id) => click.instanceReports(id)));
    expect(await Promise.all(ids.map((id) => duck.instanceReports(id)))).toEqual(reports);
    const [d, c] = await Promise.all([duck.deleteInstances(ids), click.deleteInstances(ids)]);
    expect(d).toEqual({ rowsDeleted: before, remaining: 0 });
    expect(c).toEqual({ rowsDeleted: before, remaining: 0 });
    expect(await click.countRows(ids)).toBe(0);
    expect(canonical(await click.aggregateInputs({ since: null }))).toEqual(canonical(await duck.aggregateInputs({ since: null })));
  });

  it('remove the same rows for retention', async () => {
    const [d, c] = await Promise.all([duck.removeBefore('2026-10-15'), click.removeBefore('2026-10-15')]);
    expect(d).toBeGreaterThan(0);
    expect(c).toBe(d);
    const [dd, cc] = await Promise.all([duck.aggregateInputs({ since: null }), click.aggregateInputs({ since: null })]);
    expect(canonical(cc)).toEqual(canonical(dd));
    expect(await duck.removeBefore('2026-10-15')).toBe(0);
    expect(await click.removeBefore('2026-10-15')).toBe(0);
  });
});
