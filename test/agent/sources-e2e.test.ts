import { afterEach, beforeAll, expect, it } from 'vitest';
import type { Payload } from '../../main/report/payload-schema.js';
import { runApp } from '../intake/support/run-app.js';
import { buildOnce } from '../support/build.js';
import { startCollector, type Collector } from '../support/collector.js';
import {
  agentView,
  DURATIONS_1,
  DURATIONS_2,
  EMAIL,
  expectValues,
  leaks,
  names,
  nextReport,
  plantedResource,
  plantedRound,
  secrets,
} from '../cli/sources-e2e-support.js';
import { agentSources, answer, intakeUrl, sourcesJson } from '../cli/sources-support.js';
import { apiToken, newBox, startAgent } from '../cli/support.js';

// Issue 11, done when: a real headless agent (dist/, its own process, a temp sandbox)
// sending to a collector on 127.0.0.1, and two apps in child processes using the real
// OpenTelemetry SDK (sdk-metrics + sdk-logs), one with the otlp-http (JSON) exporters
// and one with the otlp-proto exporters, with identifying values planted everywhere.
// Answers are given with `candor sources allow|deny NAME`; what would be sent is read
// from the agent's own API (/telemetry, /preview), what was sent from the collector.
//
// A headless agent sends on its schedule only (first_delay_s, then every 60 s), so the
// test waits for the run the agent says is next: about 20 s + 60 s in all.

let collector: Collector | null = null;
beforeAll(() => buildOnce(), 120_000);
afterEach(async () => {
  await collector?.close();
  collector = null;
});

const JSON_APP = 'shop-json';
const PROTO_APP = 'shop-proto';

function config(endpoint: string): string {
  return [
    'telemetry:',
    `  endpoint: ${endpoint}`,
    '  consent: granted',
    '  first_delay_s: 20',
    '  interval_s: 60',
    '  details_level: 4',
    'sampling:',
    '  interval_s: 1',
    'service:',
    '  http_port: 0',
    '',
  ].join('\n');
}

const sourceOf = (payload: Payload, name: string) => payload.sources?.find((s) => s.name === name);

it('pending, then allowed, then denied: through the CLI, the agent, its payload and the collector, with nothing identifying leaving', async () => {
  collector = await startCollector();
  const box = newBox();
  box.writeConfig('config.yaml', config(collector.url));
  const agent = await startAgent(box, ['--port', '0', '--otlp-port', '0']);
  const view = agentView(agent.port, apiToken(box));
  const url = await intakeUrl(box);
  const all = await secrets();
  const sample = all.slice(0, 40).join(' ');
  const app = (service: string, protocol: 'json' | 'protobuf', prefix: string, orders: [number, number], durations: number[]) =>
    runApp({ url, protocol, resource: plantedResource(service), rounds: [plantedRound(prefix, orders, durations, sample)] });

  // Round 1 from both apps. Every export is accepted.
  const first = await Promise.all([
    app(JSON_APP, 'json', 'cart', [3, 2], DURATIONS_1),
    app(PROTO_APP, 'protobuf', 'pay', [3, 2], DURATIONS_1),
  ]);
  for (const results of first) {
    expect(results.metrics.length).toBeGreaterThanOrEqual(1);
    expect([...results.metrics, ...results.logs].every((r) => r.code === 0)).toBe(true);
  }

  // Pending: listed by the CLI, shown in the preview as waiting, absent from the payload.
  const listed = await sourcesJson(box);
  expect(listed.sources.map((s) => [s.name, s.state, s.answered_by, s.seen])).toEqual([
    [JSON_APP, 'pending', 'none', true],
    [PROTO_APP, 'pending', 'none', true],
  ]);
  let payload = await view.telemetry();
  expect(names(payload.sources)).toEqual([]);
  const preview = await view.preview();
  expect(names(preview.payload.sources)).toEqual([]);
  expect(names(preview.pending.sources)).toEqual([JSON_APP, PROTO_APP]);
  expectValues(preview.pending.sources[0], 'cart', 5, DURATIONS_1);
  // The raw preview holds the planted values (so the checks below can fail); the anonymized views do not.
  expect(JSON.stringify((await view.preview(false)).pending)).toContain(EMAIL);
  // (Its `changes` carry the raw values by design: they are shown, never sent.)
  expect(leaks(JSON.stringify([preview.payload, preview.pending.sources]), all)).toEqual([]);

  // Allowed (the protobuf app): what was held goes, with the values the app recorded.
  expect((await answer(box, 'allow', PROTO_APP)).source).toMatchObject({ state: 'allowed', answered_by: 'person' });
  payload = await view.telemetry();
  expect(names(payload.sources)).toEqual([PROTO_APP]);
  expectValues(sourceOf(payload, PROTO_APP), 'pay', 5, DURATIONS_1);
  // Of the resource, only the allow-listed attributes.
  expect(sourceOf(payload, PROTO_APP)).toMatchObject({
    version: '2.4.1',
    os_type: 'linux',
    sdk: { language: 'nodejs', name: 'opentelemetry' },
  });
  expect(names((await view.preview()).pending.sources)).toEqual([JSON_APP]);

  // The collector: the allowed app with its values; nothing of the pending one.
  const report1 = await nextReport(view, collector);
  expect(names(report1.payload.sources)).toEqual([PROTO_APP]);
  expectValues(sourceOf(report1.payload, PROTO_APP), 'pay', 5, DURATIONS_1);
  expect(report1.request.body).not.toContain(JSON_APP);
  expect(report1.request.body).not.toContain('cart.');

  // Allowed (the JSON app), denied (the protobuf app), then round 2 from both.
  await answer(box, 'allow', JSON_APP);
  await answer(box, 'deny', PROTO_APP);
  payload = await view.telemetry();
  expect(names(payload.sources)).toEqual([JSON_APP]);
  const deniedBefore = (await sourcesJson(box)).sources.find((s) => s.name === PROTO_APP);
  expect(deniedBefore).toMatchObject({ state: 'denied', answered_by: 'person', memory_bytes: 0 });
  await Promise.all([app(JSON_APP, 'json', 'cart', [5, 0], DURATIONS_2), app(PROTO_APP, 'protobuf', 'pay', [5, 0], DURATIONS_2)]);

  // Denied: further data points are counted as dropped, none kept.
  const deniedAfter = (await agentSources(agent.port, apiToken(box))).find((s) => s.name === PROTO_APP);
  const newPoints = (deniedAfter?.counts.data_points ?? 0) - (deniedBefore?.counts.data_points ?? 0);
  expect(newPoints).toBeGreaterThan(0);
  expect((deniedAfter?.counts.dropped ?? 0) - (deniedBefore?.counts.dropped ?? 0)).toBeGreaterThanOrEqual(newPoints);
  expect(deniedAfter?.memory_bytes).toBe(0);
  payload = await view.telemetry();
  expect(names(payload.sources)).toEqual([JSON_APP]);
  expect(names((await view.preview()).pending.sources)).toEqual([]);
  // The JSON app's second round adds up with its first (a fresh process: a new cumulative stream).
  expectValues(sourceOf(payload, JSON_APP), 'cart', 10, [...DURATIONS_1, ...DURATIONS_2]);

  const report2 = await nextReport(view, collector);
  expect(names(report2.payload.sources)).toEqual([JSON_APP]);
  expectValues(sourceOf(report2.payload, JSON_APP), 'cart', 10, [...DURATIONS_1, ...DURATIONS_2]);
  expect(report2.request.body).not.toContain(PROTO_APP);
  expect(report2.request.body).not.toContain('pay.');

  // Allowed again, the protobuf app starts from nothing: what came while it was denied was not kept.
  await answer(box, 'allow', PROTO_APP);
  const again = sourceOf(await view.telemetry(), PROTO_APP);
  expect(again?.counters).toEqual({});
  expect(again?.timers).toEqual({});

  // Nothing identifying in any anonymized payload, nor in anything the collector received.
  expect(leaks(JSON.stringify(payload), all)).toEqual([]);
  expect(collector.received.length).toBeGreaterThanOrEqual(2);
  for (const request of collector.received) expect(leaks(request.body, all)).toEqual([]);
  // The error logs became error reports built from safe parts (level 4), planted text gone.
  const errors = sourceOf(report2.payload, JSON_APP)?.errors?.captured ?? [];
  expect(errors.length).toBeGreaterThanOrEqual(1);
}, 300_000);
