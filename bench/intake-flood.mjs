// Area: the OTLP intake under a flood. A million distinct series from 40 apps (50
// requests of 20,000 points, JSON and protobuf in turn) go through intake.ingest(), the
// HTTP route's own entry. What the intake holds afterwards (heap growth after garbage
// collection, over the idle baseline) is compared with its stated bound
// (limits.maxTotalBytes) and with its own running estimate.

import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { createIntake } from '../dist/main/intake/intake.js';
import { loadProtobufCodec } from '../dist/main/intake/otlp-codec.js';
import { DEFAULT_LIMITS } from '../dist/main/intake/limits.js';
import { opentelemetry } from '../dist/main/intake/generated/otlp.js';
import { emitIfMain } from './child.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const settle = () => {
  for (let i = 0; i < 3; i++) gc();
};

const APPS = 40;
const REQUESTS = 50;
const POINTS = 20_000;
const METRICS = 10;
const MiB = 1024 * 1024;
const Request = opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

const text = (key, value) => ({ key, value: { stringValue: value } });

function request(r, first) {
  const metrics = [];
  let series = first;
  for (let m = 0; m < METRICS; m++) {
    const dataPoints = [];
    for (let p = 0; p < POINTS / METRICS; p++) {
      dataPoints.push({
        attributes: [text('user.id', `u${series++}`), text('route', `/r/${p % 7}`)],
        startTimeUnixNano: '1700000000000000000',
        timeUnixNano: '1700000060000000000',
        asInt: '1',
      });
    }
    metrics.push({ name: `flood.requests.m${m}`, unit: '1', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints } });
  }
  const body = {
    resourceMetrics: [{ resource: { attributes: [text('service.name', `flood-app-${r % APPS}`)] }, scopeMetrics: [{ metrics }] }],
  };
  return r % 2 === 0
    ? { encoding: 'json', bytes: Buffer.from(JSON.stringify(body)) }
    : { encoding: 'protobuf', bytes: Buffer.from(Request.encode(body).finish()) };
}

export async function run() {
  // The HTTP route loads it at the first protobuf request; here ingest() is called directly.
  await loadProtobufCodec();
  settle();
  const baseline = process.memoryUsage().heapUsed;
  const intake = createIntake({ port: 0 });
  let accepted = 0;
  let ingestMs = 0;
  for (let r = 0; r < REQUESTS; r++) {
    const { encoding, bytes } = request(r, r * POINTS);
    const t0 = performance.now();
    accepted += intake.ingest('metrics', encoding, bytes).accepted;
    ingestMs += performance.now() - t0;
  }
  settle();
  const grown = process.memoryUsage().heapUsed - baseline;
  const stats = intake.stats();
  const bound = DEFAULT_LIMITS.maxTotalBytes;
  const held = intake.sources().filter((s) => s.seen).length;
  let seriesKept = 0;
  let seriesDropped = 0;
  for (const s of intake.pendingPreview()) {
    seriesKept += s.detail.length;
    seriesDropped += (s.dropped.series_limit ?? 0) + (s.dropped.memory_limit ?? 0);
  }
  const measurements = {
    'flood.heap': {
      area: 'intake after 1,000,000 distinct series from 40 apps',
      impl: 'heap growth after GC',
      unit: 'MiB',
      median: grown / MiB,
      min: grown / MiB,
      max: grown / MiB,
      runs: 1,
    },
    'flood.estimate': {
      area: 'intake after 1,000,000 distinct series from 40 apps',
      impl: "the intake's own estimate",
      unit: 'MiB',
      median: stats.memory.estimated_bytes / MiB,
      min: stats.memory.estimated_bytes / MiB,
      max: stats.memory.estimated_bytes / MiB,
      runs: 1,
    },
    'flood.rate': {
      area: 'intake after 1,000,000 distinct series from 40 apps',
      impl: 'ingest rate during the flood',
      unit: 'points/s',
      median: accepted / (ingestMs / 1000),
      min: accepted / (ingestMs / 1000),
      max: accepted / (ingestMs / 1000),
      runs: 1,
    },
  };
  const bars = [
    {
      bar: `flood: heap growth <= the stated bound (${bound / MiB} MiB)`,
      candor: grown / MiB,
      reference: bound / MiB,
      ratio: grown / bound,
      limit: '<= 1',
      met: grown <= bound,
    },
    {
      bar: 'flood: the estimate stays within the bound',
      candor: stats.memory.estimated_bytes / MiB,
      reference: bound / MiB,
      ratio: stats.memory.estimated_bytes / bound,
      limit: '<= 1',
      met: stats.memory.estimated_bytes <= bound,
    },
  ];
  return {
    area: 'OTLP intake memory under a flood',
    measurements,
    bars,
    notes: {
      series: REQUESTS * POINTS,
      accepted,
      sourcesHeld: held,
      refused: stats.refused,
      seriesKept,
      seriesDropped,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    },
  };
}

await emitIfMain(import.meta.url, run);
