import { describe, expect, it } from 'vitest';
import { defaultRegistry, MetricsRegistry, OVERFLOW_METRIC } from '../../main/collect/metrics.js';
import { HISTOGRAM_LAYOUT } from '../../main/report/payload-schema.js';

describe('counters', () => {
  it('adds 1 by default and n when given; ignores negative, NaN and infinite n', () => {
    const r = new MetricsRegistry();
    const c = r.counter('jobs', 'Jobs.');
    c.add();
    c.add(2.5);
    c.add(-10);
    c.add(Number.NaN);
    c.add(Infinity);
    c.add(0);
    expect(r.counters()).toEqual({ jobs: 3.5 });
  });

  it('sums label sets in counters() and lists each one in detail(), undeclared labels apart (they leave only hashed)', () => {
    const r = new MetricsRegistry();
    const c = r.counter('requests', 'Requests.');
    c.bind({ route: '/a', method: 'GET' }).add(2);
    c.bind({ route: '/b', method: 'GET' }).add(3);
    c.add(1);
    expect(r.counters()).toEqual({ requests: 6 });
    expect(r.detail()).toEqual([
      { name: 'requests', kind: 'counter', labels: {}, hashed_labels: { method: 'GET', route: '/a' }, value: 2 },
      { name: 'requests', kind: 'counter', labels: {}, hashed_labels: { method: 'GET', route: '/b' }, value: 3 },
      { name: 'requests', kind: 'counter', labels: {}, hashed_labels: {}, value: 1 },
    ]);
  });

  it('keeps the values a metric declares as categories, records any other value of that label as "other"', () => {
    const r = new MetricsRegistry();
    const c = r.counter('calls', 'Calls.', { labels: { route: ['/a', '/b'] } });
    c.bind({ route: '/a', user: 'bob' }).add(1);
    c.bind({ route: '/home/bob/secret' }).add(2);
    c.bind({ route: '/elsewhere' }).add(3);
    expect(r.detail()).toEqual([
      { name: 'calls', kind: 'counter', labels: { route: '/a' }, hashed_labels: { user: 'bob' }, value: 1 },
      { name: 'calls', kind: 'counter', labels: { route: 'other' }, hashed_labels: {}, value: 5 },
    ]);
  });

  it('binds the same label set (in any key order) to the same series, and bind({}) to the unlabelled one', () => {
    const r = new MetricsRegistry();
    const c = r.counter('hits', 'Hits.');
    const a = c.bind({ x: '1', y: '2' });
    expect(c.bind({ y: '2', x: '1' })).toBe(a);
    expect(c.bind({ x: '1', y: '3' })).not.toBe(a);
    c.add();
    c.bind({}).add();
    expect(r.detail().filter((d) => Object.keys(d.hashed_labels).length === 0)).toEqual([
      { name: 'hits', kind: 'counter', labels: {}, hashed_labels: {}, value: 2 },
    ]);
  });

  it('keeps many label sets apart (the chunked store spans several chunks)', () => {
    const r = new MetricsRegistry();
    const c = r.counter('spread', 'Spread.');
    for (let i = 0; i < 300; i++) c.bind({ i: String(i) }).add(i);
    const detail = r.detail();
    expect(detail).toHaveLength(300);
    detail.forEach((d, i) => expect(d).toEqual({ name: 'spread', kind: 'counter', labels: {}, hashed_labels: { i: String(i) }, value: i }));
    expect(r.counters()['spread']).toBe((299 * 300) / 2);
  });
});

describe('histograms', () => {
  it('aggregates timers over label sets and keeps per-series stats in detail()', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('op_ms', 'Operation time.');
    const a = h.bind({ op: 'a' });
    const b = h.bind({ op: 'b' });
    for (let i = 1; i <= 100; i++) a.record(i);
    for (let i = 101; i <= 200; i++) b.record(i);
    const t = r.timers()['op_ms'];
    expect(t?.count).toBe(200);
    expect(t?.min).toBe(1);
    expect(t?.max).toBe(200);
    expect(t?.avg).toBeCloseTo(100.5, 10);
    expect(Math.abs((t?.p50 ?? 0) - 100) / 100).toBeLessThanOrEqual(0.0125);
    expect(Math.abs((t?.p99 ?? 0) - 198) / 198).toBeLessThanOrEqual(0.0125);
    const detail = r.detail();
    expect(detail.map((d) => [d.hashed_labels, d.stats?.count, d.stats?.max])).toEqual([
      [{ op: 'a' }, 100, 100],
      [{ op: 'b' }, 100, 200],
    ]);
    expect(detail.every((d) => d.value === undefined)).toBe(true);
  });

  it('ignores NaN and infinities; values <= 0 count, with the true min', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('v_ms', 'V.');
    h.record(Number.NaN);
    h.record(Infinity);
    h.record(-Infinity);
    h.record(-2);
    h.record(0);
    h.record(4);
    expect(r.timers()['v_ms']).toMatchObject({ count: 3, min: -2, max: 4, avg: 2 / 3 });
  });

  it('reports a registered but unused histogram as zeros', () => {
    const r = new MetricsRegistry();
    r.histogram('idle_ms', 'Idle.');
    expect(r.timers()).toEqual({
      idle_ms: { count: 0, min: 0, avg: 0, max: 0, p50: 0, p95: 0, p99: 0, histogram: { layout: HISTOGRAM_LAYOUT, index: [], count: [] } },
    });
    expect(r.detail()).toEqual([]);
  });

  it('startTimer records the elapsed ms once and returns the same value on every call', async () => {
    const r = new MetricsRegistry();
    const h = r.histogram('wait_ms', 'Wait.');
    const stop = h.bind({ k: 'v' }).startTimer();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const elapsed = stop();
    expect(elapsed).toBeGreaterThan(0);
    expect(stop()).toBe(elapsed);
    expect(r.timers()['wait_ms']).toMatchObject({ count: 1, min: elapsed, max: elapsed });
    const unbound = h.startTimer();
    unbound();
    expect(r.timers()['wait_ms']?.count).toBe(2);
  });
});

describe('registration and names', () => {
  it('is idempotent per name and refuses the same name as another kind, naming it', () => {
    const r = new MetricsRegistry();
    expect(r.counter('x', 'X.')).toBe(r.counter('x', 'X again.'));
    expect(r.histogram('y_ms', 'Y.')).toBe(r.histogram('y_ms', 'Y.'));
    expect(() => r.histogram('x', 'X.')).toThrow(/metric x is already registered as a counter/);
    expect(() => r.counter('y_ms', 'Y.')).toThrow(/metric y_ms is already registered as a histogram/);
  });

  it('refuses names that would print the same Prometheus sample name', () => {
    const r = new MetricsRegistry();
    r.counter('sent', 'Sent.');
    expect(() => r.counter('sent_total', 'Sent.')).toThrow(/sent_total.*sent/);
    expect(() => r.histogram('sent_total', 'Sent.')).toThrow(/sent_total/);
    r.histogram('lat', 'Lat.');
    // A histogram family named lat_count would clash with lat's own lat_count sample.
    expect(() => r.histogram('lat_count', 'x')).toThrow('metric lat_count would be exposed as lat_count, which metric lat already uses');
    expect(() => r.counter('lat_bucket', 'x')).not.toThrow(); // exposed as lat_bucket_total
  });

  it.each(['', '1abc', 'a-b', 'a b', 'é', 'a.b'])('refuses metric name %j, naming it', (name) => {
    const r = new MetricsRegistry();
    expect(() => r.counter(name, 'h')).toThrow(`invalid metric name ${JSON.stringify(name)}`);
    expect(() => r.histogram(name, 'h')).toThrow(`invalid metric name ${JSON.stringify(name)}`);
  });

  it('accepts colons and underscores in metric names', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('a:b_c:d', 'h')).not.toThrow();
    expect(() => r.histogram('_x:y', 'h')).not.toThrow();
  });

  it.each(['__reserved', '1x', 'a-b', 'a:b', ''])('refuses label name %j, naming it', (label) => {
    const r = new MetricsRegistry();
    expect(() => r.counter('c', 'h').bind({ [label]: 'v' })).toThrow(`invalid label name ${JSON.stringify(label)} on metric c`);
  });

  it('refuses non-string label values and non-object label sets', () => {
    const r = new MetricsRegistry();
    const c = r.counter('c', 'h');
    expect(() => c.bind({ n: 1 } as unknown as Record<string, string>)).toThrow('label n on metric c must be a string, got number');
    expect(() => c.bind(null as unknown as Record<string, string>)).toThrow('labels for metric c must be an object');
  });

  it('reserves le on histograms', () => {
    const r = new MetricsRegistry();
    expect(() => r.histogram('h_ms', 'h').bind({ le: '1' })).toThrow('label name "le" is reserved on metric h_ms');
    expect(() => r.counter('c', 'h').bind({ le: '1' })).not.toThrow();
  });

  it('refuses a bad cardinality limit', () => {
    expect(() => new MetricsRegistry({ maxSeriesPerMetric: 0 })).toThrow('maxSeriesPerMetric must be a positive integer, got 0');
  });
});

describe('cardinality guard', () => {
  it('sends label sets beyond the limit to one {overflow:"true"} series and counts them', () => {
    const r = new MetricsRegistry({ maxSeriesPerMetric: 3 });
    const c = r.counter('users', 'Users.');
    const kept = [0, 1, 2].map((i) => c.bind({ user: `u${i}` }));
    const spill1 = c.bind({ user: 'u3' });
    const spill2 = c.bind({ user: 'u4' });
    expect(spill2).toBe(spill1);
    expect(c.bind({ user: 'u1' })).toBe(kept[1]); // existing sets still find their series
    spill1.add(5);
    spill2.add(1);
    const h = r.histogram('lat_ms', 'Lat.');
    for (let i = 0; i < 10_000; i++) h.bind({ id: String(i) }).record(i);

    const series = r.detail();
    expect(series.filter((d) => d.name === 'users')).toHaveLength(4);
    expect(series.filter((d) => d.name === 'lat_ms')).toHaveLength(4);
    expect(series).toContainEqual({ name: 'users', kind: 'counter', labels: { overflow: 'true' }, hashed_labels: {}, value: 6 });
    const overflowLat = series.find((d) => d.name === 'lat_ms' && d.labels['overflow'] === 'true');
    expect(overflowLat?.stats?.count).toBe(9_997);
    expect(r.timers()['lat_ms']?.count).toBe(10_000); // nothing lost, only merged
    expect(r.overflows()).toEqual({ users: 2, lat_ms: 9_997 });
    expect(r.counters()[OVERFLOW_METRIC]).toBe(9_999);
  });

  it('has no overflow metric while nothing overflowed', () => {
    const r = new MetricsRegistry();
    r.counter('c', 'h').bind({ a: 'b' }).add();
    expect(r.overflows()).toEqual({});
    expect(Object.keys(r.counters())).toEqual(['c']);
  });
});

describe('snapshot', () => {
  it('gives help, kind, escaped label text, cumulative le counts, sum and count', () => {
    const r = new MetricsRegistry();
    r.counter('c', 'Count "things".').bind({ path: 'a"b\\c\nd' }).add(7);
    const h = r.histogram('h_ms', 'H.');
    for (const v of [0.05, 0.1, 0.3, 7, 20_000]) h.record(v);
    const [counter, histogram] = r.snapshot();
    expect(counter).toEqual({
      kind: 'counter',
      name: 'c',
      help: 'Count "things".',
      series: [{ labels: { path: 'a"b\\c\nd' }, labelText: 'path="a\\"b\\\\c\\nd"', value: 7 }],
    });
    expect(histogram?.kind).toBe('histogram');
    if (histogram?.kind !== 'histogram') throw new Error('expected a histogram');
    const s = histogram.series[0];
    expect(s?.count).toBe(5);
    expect(s?.sum).toBeCloseTo(20_007.45, 9);
    expect(s?.labelText).toBe('');
    // le: 0.1 0.25 0.5 1 2.5 5 10 25 ... 10000
    expect(s?.buckets).toEqual([2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
  });
});

it('exports a shared default registry', () => {
  expect(defaultRegistry).toBeInstanceOf(MetricsRegistry);
});

it('produces timers, counters and detail the payload schema accepts', async () => {
  const { Payload } = await import('../../main/report/payload-schema.js');
  const performance = Payload.shape.performance.unwrap();
  const r = new MetricsRegistry({ maxSeriesPerMetric: 2 });
  const h = r.histogram('h_ms', 'H.');
  for (const v of [-1, 0, 0.0001, 3, 5e9]) h.bind({ a: String(v) }).record(v);
  r.histogram('idle_ms', 'Idle.');
  r.counter('c', 'C.').bind({ k: 'v' }).add(2);
  expect(() => performance.shape.timers.parse(r.timers())).not.toThrow();
  expect(() => performance.shape.counters.parse(r.counters())).not.toThrow();
  expect(() => performance.shape.detail.parse(r.detail())).not.toThrow();
});
