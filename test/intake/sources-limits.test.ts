import { describe, expect, it } from 'vitest';
import { createIntake, type Intake, type IntakeOptions } from '../../main/intake/intake.js';
import { attr, counter, counterPoint, logsRequest, metricsRequest, type Json } from './support/otlp-bodies.js';

// Sources, answers and bounds, through intake.ingest() (the HTTP route's own entry)
// with hand-built OTLP/JSON requests.

const make = (options: Partial<IntakeOptions> = {}): Intake => createIntake({ port: 0, ...options });
const take = (intake: Intake, request: Json, signal: 'metrics' | 'logs' = 'metrics') =>
  intake.ingest(signal, 'json', Buffer.from(JSON.stringify(request)));

describe('answers', () => {
  it('onChange fires when a source appears or changes state, not on every data point', () => {
    const intake = make();
    let changes = 0;
    intake.onChange(() => changes++);
    take(intake, metricsRequest('app-a', [counter('n', [counterPoint(1)])]));
    take(intake, metricsRequest('app-a', [counter('n', [counterPoint(2)])]));
    expect(changes).toBe(1);
    intake.answer('app-a', 'allowed');
    expect(changes).toBe(2);
  });

  it('an answer that cannot be persisted is not taken; a name that is no source name is refused', () => {
    const intake = make({
      onAnswer: () => {
        throw new Error('disk full');
      },
    });
    take(intake, metricsRequest('app-a', [counter('n', [counterPoint(1)])]));
    expect(() => intake.answer('app-a', 'allowed')).toThrow('disk full');
    expect(intake.sources()[0]?.state).toBe('pending');
    expect(() => make().answer('bob@laptop', 'allowed')).toThrow(RangeError);
    expect(() => make().answer('app', 'maybe' as 'allowed')).toThrow(RangeError);
  });

  it('an app can be answered before it ever sent anything (candor sources allow NAME)', () => {
    const intake = make();
    expect(intake.answer('future-app', 'denied')).toMatchObject({
      name: 'future-app',
      state: 'denied',
      answered_by: 'person',
      seen: false,
    });
    take(intake, metricsRequest('future-app', [counter('n', [counterPoint(1)])]));
    expect(intake.sources()[0]).toMatchObject({ seen: true, state: 'denied', memory_bytes: 0 });
  });

  it('syncAnswers (settings changed by another process) moves the stores along', () => {
    const intake = make();
    take(intake, metricsRequest('app-a', [counter('n', [counterPoint(5)])]));
    intake.syncAnswers({ 'app-a': { state: 'allowed', at: null } });
    expect(intake.rawSources()[0]?.counters).toEqual({ n: 5 });
    intake.syncAnswers({ 'app-a': { state: 'denied', at: null } });
    expect(intake.rawSources()).toEqual([]);
    expect(intake.stats().memory.estimated_bytes).toBe(0);
    intake.syncAnswers({});
    expect(intake.sources()[0]).toMatchObject({ state: 'pending', answered_by: 'none' });
  });

  it('a name on both operator lists is denied', () => {
    const intake = make({ operator: { allow: ['app-a'], deny: ['app-a'] } });
    expect(intake.sources()[0]).toMatchObject({ name: 'app-a', state: 'denied', answered_by: 'operator' });
  });
});

describe('what is kept of a source', () => {
  const intake = make({ operator: { allow: ['app'], categories: { app: { region: ['eu', 'us'] } } } });
  const point = (attributes: Json[]): Json => counterPoint(1, attributes);
  take(
    intake,
    metricsRequest('app', [
      counter('calls', [
        point([attr('region', 'eu')]),
        point([attr('region', 'moon')]),
        point([attr('big', 'x'.repeat(300))]),
        point([{ key: 'list', value: { arrayValue: { values: [] } } }]),
        point(Array.from({ length: 20 }, (_, i) => attr(`k${String(i).padStart(2, '0')}`, 'v'))),
        point([attr('flag', { boolValue: true }), attr('ratio', { doubleValue: 0.5 }), attr('n', 42)]),
      ]),
      {
        name: 'calls',
        unit: '1',
        histogram: { aggregationTemporality: 1, dataPoints: [{ count: '1', bucketCounts: ['1'], explicitBounds: [] }] },
      },
      { name: 'calls', unit: 's', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [counterPoint(1)] } },
      { name: 'level', unit: '1', gauge: { dataPoints: [{ asDouble: 3 }] } },
      { name: 'inflight', unit: '1', sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: [{ asInt: '3' }] } },
      { name: 'legacy', summary: { dataPoints: [{ count: '1' }] } },
      {
        name: 'wide',
        unit: 'ms',
        histogram: { aggregationTemporality: 1, dataPoints: [{ count: '1', bucketCounts: Array(400).fill('0'), explicitBounds: [] }] },
      },
      { name: 'unset', unit: '1', sum: { aggregationTemporality: 0, isMonotonic: true, dataPoints: [counterPoint(1)] } },
    ]),
  );
  const section = intake.rawSources()[0];

  it('declared categories: a listed value stays, any other is `other`', () => {
    const regions = section?.detail.filter((d) => 'region' in d.labels.categories).map((d) => d.labels.categories['region']);
    expect(regions?.sort()).toEqual(['eu', 'other']);
  });

  it('scalar values of every kind become text; the first 16 attributes by order are read', () => {
    const typed = section?.detail.find((d) => 'flag' in d.labels.hashed);
    expect(typed?.labels.hashed).toEqual({ flag: 'true', ratio: '0.5', n: '42' });
    const wide = section?.detail.find((d) => 'k00' in d.labels.hashed);
    expect(Object.keys(wide?.labels.hashed ?? {})).toHaveLength(16);
  });

  it('every drop is counted under its reason', () => {
    expect(section?.dropped).toEqual({
      attribute_value_too_long: 1,
      attribute_value_not_scalar: 1,
      too_many_attributes: 4,
      kind_conflict: 1,
      unit_conflict: 1,
      not_collected_gauge: 1,
      not_collected_non_monotonic_sum: 1,
      not_collected_summary: 1,
      too_many_buckets: 1,
    });
  });
});

describe('bounds', () => {
  it('sources beyond maxSources are refused and counted', () => {
    const intake = make({ limits: { maxSources: 2 } });
    for (const app of ['a1', 'a2', 'a3']) take(intake, metricsRequest(app, [counter('n', [counterPoint(1)])]));
    expect(intake.sources().map((s) => s.name)).toEqual(['a1', 'a2']);
    expect(intake.stats().refused).toEqual({ too_many_sources: 1 });
  });

  it('metrics and series beyond their bounds are dropped and counted; what fits keeps counting', () => {
    const intake = make({ operator: { allow: ['app'] }, limits: { maxMetricsPerSource: 2, maxSeriesPerMetric: 3 } });
    const points = Array.from({ length: 5 }, (_, i) => counterPoint(1, [attr('id', `u${i}`)]));
    take(intake, metricsRequest('app', [counter('m1', points), counter('m2', [counterPoint(1)]), counter('m3', [counterPoint(1)])]));
    take(intake, metricsRequest('app', [counter('m1', points, 1)]));
    const section = intake.rawSources()[0];
    expect(Object.keys(section?.counters ?? {})).toEqual(['m1', 'm2']);
    expect(section?.dropped).toEqual({ metric_limit: 1, series_limit: 4 });
    // The first three series took both requests (the second one delta: added to the cumulative totals).
    expect(section?.counters['m1']).toBe(6);
  });

  it('a source over its memory budget takes no new series (counted), and a denied one gives its bytes back', () => {
    const intake = make({ limits: { maxBytesPerSource: 400_000, maxErrorsPerSource: 5 } });
    const points = Array.from({ length: 2000 }, (_, i) => counterPoint(1, [attr('id', `user-${i}`)]));
    take(intake, metricsRequest('app', [counter('m', points)]));
    const [info] = intake.sources();
    expect(info?.memory_bytes).toBeLessThanOrEqual(400_000);
    expect(intake.pendingPreview()[0]?.dropped['memory_limit']).toBeGreaterThan(0);
    intake.answer('app', 'denied');
    expect(intake.stats().memory.estimated_bytes).toBe(0);
  });

  it('error logs: at most maxErrorsPerSource distinct errors, stacks cut to maxStackChars', () => {
    const intake = make({ operator: { allow: ['app'] }, limits: { maxErrorsPerSource: 3, maxStackChars: 500 } });
    const records = Array.from({ length: 5 }, (_, i) => ({
      severityNumber: 17,
      attributes: [
        attr('exception.type', `E${i}`),
        attr('exception.message', 'boom'),
        attr('exception.stacktrace', `E${i}: boom\n${'    at f (x.js:1:1)\n'.repeat(100)}`),
      ],
    }));
    take(intake, logsRequest('app', records), 'logs');
    const errors = intake.rawSources()[0]?.errors;
    expect(errors?.captured).toHaveLength(3);
    expect(errors?.dropped).toBe(2);
    for (const e of errors?.captured ?? []) expect(e.stack.length).toBeLessThanOrEqual(500);
  });
});
