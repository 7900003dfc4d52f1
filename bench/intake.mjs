// Area: OTLP intake throughput, in data points per second, for protobuf and JSON bodies
// made by the real OpenTelemetry JS SDK (sent by its own exporters): Candor's whole intake
// step (decode, resource allow-list, name and attribute classification, aggregation
// into each source's store) against the floor measured in the same run, i.e. decoding
// alone with the same library (the generated protobufjs code) and JSON.parse alone.
// Timed by CPU time of batches, alternating the order, medians over the runs: the
// machine is shared, and wall time on it moves with other work.

import { createIntake } from '../dist/main/intake/intake.js';
import { loadProtobufCodec } from '../dist/main/intake/otlp-codec.js';
import { opentelemetry } from '../dist/main/intake/generated/otlp.js';
import { emitIfMain } from './child.mjs';
import { metricsBodies } from './intake-workload.mjs';
import { summary } from './stats.mjs';

const Request = opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
const WARMUP = 40;
const RUNS = 60;
const BATCH = 10;
const GOAL = 2;

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Points per second of each case, over RUNS batches, cases in alternating order. */
function measure(cases, points) {
  for (const fn of Object.values(cases)) for (let i = 0; i < WARMUP; i++) fn();
  const perSecond = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const ids = Object.keys(cases);
  for (let r = 0; r < RUNS; r++) {
    for (const id of r % 2 === 0 ? ids : [...ids].reverse()) {
      const t0 = cpuMs();
      for (let i = 0; i < BATCH; i++) cases[id]();
      const ms = (cpuMs() - t0) / BATCH;
      perSecond[id].push(points / (ms / 1000));
    }
  }
  return perSecond;
}

const WORKLOADS = [
  {
    id: 'mixed',
    label: '20 counters + 10 histograms x 50 series, cumulative (1,500 points)',
    options: { counters: 20, histograms: 10, series: 50 },
  },
  {
    id: 'delta',
    label: '20 counters + 10 histograms x 50 series, delta (1,500 points)',
    options: { counters: 20, histograms: 10, series: 50, delta: true },
  },
  {
    id: 'exponential',
    label: '40 exponential histograms x 50 series, delta (2,000 points)',
    options: { counters: 0, histograms: 40, series: 50, delta: true, exponential: true },
  },
];

export async function run() {
  // The HTTP route loads it at the first protobuf request; here ingest() is called directly.
  await loadProtobufCodec();
  const measurements = {};
  const bars = [];
  const notes = {};
  for (const workload of WORKLOADS) {
    const bodies = await metricsBodies(workload.options);
    const intake = createIntake({ port: 0, operator: { allow: ['bench-app'] } });
    // The whole step must really keep the data: check once before timing.
    const check = intake.ingest('metrics', 'protobuf', bodies.protobuf);
    if (check.accepted !== bodies.points || check.rejected !== 0)
      throw new Error(`intake took ${JSON.stringify(check)} of ${bodies.points}`);
    const cases = {
      'pb.floor': () => Request.decode(bodies.protobuf),
      'pb.intake': () => intake.ingest('metrics', 'protobuf', bodies.protobuf),
      'json.floor': () => JSON.parse(bodies.json.toString('utf8')),
      'json.intake': () => intake.ingest('metrics', 'json', bodies.json),
    };
    const perSecond = measure(cases, bodies.points);
    const area = `OTLP metrics, ${workload.label}`;
    const m = {
      [`${workload.id}.pb.intake`]: {
        area,
        impl: 'Candor intake, protobuf (decode + classify + aggregate)',
        unit: 'points/s',
        ...summary(perSecond['pb.intake']),
      },
      [`${workload.id}.pb.floor`]: {
        area,
        impl: 'decode alone (same generated protobufjs code)',
        unit: 'points/s',
        ...summary(perSecond['pb.floor']),
      },
      [`${workload.id}.json.intake`]: {
        area,
        impl: 'Candor intake, JSON (parse + classify + aggregate)',
        unit: 'points/s',
        ...summary(perSecond['json.intake']),
      },
      [`${workload.id}.json.floor`]: { area, impl: 'JSON.parse alone', unit: 'points/s', ...summary(perSecond['json.floor']) },
    };
    Object.assign(measurements, m);
    for (const enc of ['pb', 'json']) {
      const candor = m[`${workload.id}.${enc}.intake`].median;
      const floor = m[`${workload.id}.${enc}.floor`].median;
      const ratio = floor / candor;
      bars.push({
        bar: `intake ${enc === 'pb' ? 'protobuf' : 'JSON'} (${workload.id}): time per point <= ${GOAL}x ${enc === 'pb' ? 'decoding alone' : 'JSON.parse alone'}`,
        candor,
        reference: floor,
        ratio,
        limit: `<= ${GOAL}x`,
        met: ratio <= GOAL,
      });
    }
    notes[workload.id] = { points: bodies.points, protobufBytes: bodies.protobuf.length, jsonBytes: bodies.json.length };
    const section = intake.rawSources()[0];
    notes[workload.id].series = section.detail.length;
  }
  return {
    area: 'OTLP intake throughput',
    measurements,
    bars,
    notes: { ...notes, runs: RUNS, batch: BATCH, warmup: WARMUP, timing: 'process CPU time' },
  };
}

await emitIfMain(import.meta.url, run);
