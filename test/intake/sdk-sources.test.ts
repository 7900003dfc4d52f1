import { afterEach, describe, expect, it } from 'vitest';
import type { Intake } from '../../main/intake/intake.js';
import type { SourceAnswer } from '../../main/intake/source-registry.js';
import { alignedBounds, candorBuckets, candorTimer, startIntake } from './support/intake-fixture.js';
import { runApp, type Round, type Scenario } from './support/run-app.js';

// The intake driven by a real app: the OpenTelemetry JS SDK (sdk-metrics, sdk-logs and
// the otlp-http / otlp-proto exporters) in a child process, in both encodings, with
// both temporalities and with and without gzip.

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

const DURATIONS = [1.7, 12.3, 12.9, 48, 220, 220.5, 3100];
const ROUNDS: Round[] = [
  {
    counters: [
      { name: 'shop.orders', unit: '{order}', value: 3, attributes: { route: '/cart' } },
      { name: 'shop.orders', unit: '{order}', value: 2, attributes: { route: '/pay' } },
    ],
    histograms: [{ name: 'shop.checkout.duration', unit: 'ms', values: DURATIONS.slice(0, 4) }],
    gauges: [{ name: 'shop.queue.length', value: 7 }],
    logs: [
      { severity: 'ERROR', body: 'checkout failed', exception: { name: 'TypeError', message: 'Cannot read properties of undefined' } },
      { severity: 'INFO', body: 'checkout started' },
    ],
  },
  {
    counters: [{ name: 'shop.orders', unit: '{order}', value: 5, attributes: { route: '/cart' } }],
    histograms: [{ name: 'shop.checkout.duration', unit: 'ms', values: DURATIONS.slice(4) }],
  },
];

const CASES: { protocol: Scenario['protocol']; temporality: 'cumulative' | 'delta'; gzip: boolean }[] = [
  { protocol: 'json', temporality: 'cumulative', gzip: false },
  { protocol: 'protobuf', temporality: 'delta', gzip: false },
  { protocol: 'json', temporality: 'delta', gzip: true },
  { protocol: 'protobuf', temporality: 'cumulative', gzip: true },
];

describe.each(CASES)('a real SDK app over http/$protocol, $temporality, gzip=$gzip', ({ protocol, temporality, gzip }) => {
  it('pending: held for the preview, nothing to send; allowed: its counter and histogram with the right values; denied: gone', async () => {
    const persisted: [string, SourceAnswer][] = [];
    const started = await startIntake({ onAnswer: (name, answer) => persisted.push([name, answer]) });
    intake = started.intake;
    const changes: number[] = [];
    intake.onChange(() => changes.push(1));

    const results = await runApp({
      url: started.url,
      protocol,
      gzip,
      temporality,
      bounds: alignedBounds(DURATIONS),
      resource: { 'service.name': 'shop-api', 'service.version': '2.4.1', 'telemetry.sdk.language': 'nodejs', 'os.type': 'linux' },
      rounds: ROUNDS,
    });
    // The SDK saw every export accepted.
    expect(results.metrics.length).toBeGreaterThanOrEqual(2);
    expect(results.metrics.every((r) => r.code === 0)).toBe(true);
    expect(results.logs.every((r) => r.code === 0)).toBe(true);

    // Pending: nothing of it in what would be sent; all of it waiting in the preview.
    expect(intake.rawSources()).toEqual([]);
    const [info] = intake.sources();
    expect(info).toMatchObject({ name: 'shop-api', state: 'pending', answered_by: 'none', seen: true, version: '2.4.1' });
    expect(changes.length).toBeGreaterThanOrEqual(1);
    const [pending] = intake.pendingPreview();
    expect(pending?.state).toBe('pending');

    // Allowed: what was held is what goes, with the values the app recorded.
    intake.answer('shop-api', 'allowed');
    expect(persisted).toEqual([['shop-api', { state: 'allowed', at: expect.any(String) }]]);
    expect(intake.pendingPreview()).toEqual([]);
    const [section] = intake.rawSources();
    expect(section).toBeDefined();
    if (section === undefined) return;
    expect(section).toMatchObject({ name: 'shop-api', state: 'allowed', version: '2.4.1', os_type: 'linux' });
    expect(section.sdk.language).toBe('nodejs');
    expect(section.counters).toEqual({ 'shop.orders': 10 });
    const byRoute = Object.fromEntries(
      section.detail.filter((d) => d.name === 'shop.orders').map((d) => [d.labels.hashed['route'], d.value]),
    );
    expect(byRoute).toEqual({ '/cart': 8, '/pay': 2 });

    // The histogram, merged into Candor's layout, reads exactly like Candor's own timer.
    const timer = section.timers['shop.checkout.duration'];
    const expected = candorTimer(DURATIONS);
    expect(timer).toMatchObject({ ...expected, avg: expect.any(Number), unit: 'ms' });
    expect(timer?.avg).toBeCloseTo(expected.avg, 9);
    const buckets = candorBuckets(DURATIONS);
    expect(timer?.histogram).toEqual({ layout: 'candor-log-linear-1', index: buckets.map(([i]) => i), count: buckets.map(([, c]) => c) });

    // Gauges are not collected; non-error logs are only counted; the error log is an error input.
    expect(section.dropped['not_collected_gauge']).toBeGreaterThanOrEqual(1);
    expect(section.dropped['not_collected_log']).toBe(1);
    expect(section.errors.captured).toHaveLength(1);
    expect(section.errors.captured[0]).toMatchObject({ type: 'TypeError', message: 'Cannot read properties of undefined', count: 1 });
    expect(section.errors.captured[0]?.stack).toContain('otel-app.mjs');

    // Denied: nothing held, nothing to send, memory given back.
    intake.answer('shop-api', 'denied');
    expect(intake.rawSources()).toEqual([]);
    expect(intake.pendingPreview()).toEqual([]);
    expect(intake.sources()[0]).toMatchObject({ state: 'denied', answered_by: 'person', memory_bytes: 0 });
  });
});

describe('answers', () => {
  it("a denied app's data is dropped as it arrives (only counted); the person's answer wins over the operator's", async () => {
    const started = await startIntake({
      operator: { allow: ['billing'], deny: ['ads-tracker', 'billing-old'] },
      answers: { 'billing-old': { state: 'allowed', at: '2026-01-01T00:00:00.000Z' } },
    });
    intake = started.intake;
    const rounds: Round[] = [{ counters: [{ name: 'jobs.done', value: 4 }] }];
    const app = (service: string): Promise<unknown> =>
      runApp({ url: started.url, protocol: 'protobuf', resource: { 'service.name': service }, rounds });
    await Promise.all([app('ads-tracker'), app('billing'), app('billing-old')]);

    const states = Object.fromEntries(intake.sources().map((s) => [s.name, [s.state, s.answered_by]]));
    expect(states).toEqual({
      'ads-tracker': ['denied', 'operator'],
      billing: ['allowed', 'operator'],
      'billing-old': ['allowed', 'person'],
    });
    expect(intake.rawSources().map((s) => [s.name, s.counters['jobs.done']])).toEqual([
      ['billing', 4],
      ['billing-old', 4],
    ]);
    const denied = intake.sources().find((s) => s.name === 'ads-tracker');
    expect(denied?.counts.data_points).toBeGreaterThanOrEqual(1);
    expect(denied?.counts.dropped).toBe(denied?.counts.data_points);
    expect(denied?.memory_bytes).toBe(0);

    // Allowing it later starts from nothing: what arrived while denied is gone.
    intake.answer('ads-tracker', 'allowed');
    expect(intake.rawSources().map((s) => [s.name, s.counters])).toEqual([
      ['ads-tracker', {}],
      ['billing', { 'jobs.done': 4 }],
      ['billing-old', { 'jobs.done': 4 }],
    ]);
  });

  it('an app without a service.name is refused with a partial success that tells the developer what to set', async () => {
    const started = await startIntake();
    intake = started.intake;
    const results = await runApp({
      url: started.url,
      protocol: 'json',
      resource: { 'service.version': '1.0.0' },
      rounds: [{ counters: [{ name: 'jobs.done', value: 1 }] }],
    });
    // A partial success is a success for the SDK (no retry); the message is for the developer.
    expect(results.metrics.every((r) => r.code === 0)).toBe(true);
    expect(intake.sources()).toEqual([]);
    expect(intake.stats().refused['service_name_missing']).toBeGreaterThanOrEqual(1);
    expect(intake.stats().requests['partial']).toBeGreaterThanOrEqual(1);
  });
});

describe('traces', () => {
  it.each(['json', 'protobuf'] as const)('over http/%s get one clear refusal, which the SDK exporter does not retry', async (protocol) => {
    const started = await startIntake();
    intake = started.intake;
    const results = await runApp({ url: started.url, protocol, resource: { 'service.name': 'shop-api' }, traces: 3 });
    expect(results.traces).toHaveLength(1);
    expect(results.traces[0]?.code).toBe(1); // FAILED, not retried
    expect(results.traces[0]?.error).toBe('Not Found');
    // Exactly one request: the retrying transport gave up at once.
    expect(intake.stats().requests).toEqual({ traces_refused: 1 });
    expect(intake.sources()).toEqual([]);
  });
});

describe('exponential histograms and units', () => {
  it("an exponential histogram in seconds becomes a timer in ms whose percentiles match Candor's own within the buckets' width", async () => {
    const started = await startIntake({ operator: { allow: ['render-worker'] } });
    intake = started.intake;
    // A spread of durations, 0.4 ms to 9 s, as an app would record them in seconds.
    const seconds = Array.from({ length: 400 }, (_, i) => 0.0004 * 1.025 ** i);
    await runApp({
      url: started.url,
      protocol: 'protobuf',
      exponential: true,
      resource: { 'service.name': 'render-worker' },
      rounds: [{ histograms: [{ name: 'render.duration', unit: 's', values: seconds }] }],
    });
    const timer = intake.rawSources()[0]?.timers['render.duration'];
    const expected = candorTimer(seconds.map((s) => s * 1000));
    expect(timer?.unit).toBe('ms');
    expect(timer?.count).toBe(400);
    expect(timer?.min).toBeCloseTo(expected.min, 9);
    expect(timer?.max).toBeCloseTo(expected.max, 6);
    expect(timer?.avg).toBeCloseTo(expected.avg, 6);
    // The SDK's exponential buckets (scale chosen to fit 160 buckets) are a few % wide.
    for (const p of ['p50', 'p95', 'p99'] as const) expect(Math.abs((timer?.[p] ?? 0) / expected[p] - 1)).toBeLessThan(0.05);
    const counted = (timer?.histogram?.count ?? []).reduce((n, c) => n + c, 0);
    expect(counted).toBe(400);
  });
});
