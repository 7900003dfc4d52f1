// Request bodies for the intake benchmarks, made by the real OpenTelemetry JS SDK: a
// MeterProvider records a workload and its own OTLP exporters (otlp-http for JSON,
// otlp-proto for protobuf) send it, once, to a local server that keeps the bodies.

import { once } from 'node:events';
import { createServer } from 'node:http';
import { OTLPMetricExporter as JsonExporter, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, InstrumentType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

/** Keeps the first body of each content type posted to it; answers an empty OTLP success. */
async function captureServer() {
  const bodies = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const type = req.headers['content-type'];
      if (!bodies.has(type)) bodies.set(type, Buffer.concat(chunks));
      res.writeHead(200, { 'Content-Type': type });
      res.end(type === 'application/json' ? '{}' : Buffer.alloc(0));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { bodies, url: `http://127.0.0.1:${server.address().port}/v1/metrics`, close: () => server.close() };
}

/**
 * One export of `counters` counters and `histograms` histograms (explicit default
 * buckets, or the SDK's exponential aggregation), each with `series` label sets of two
 * attributes (route, status), from service `service`. Returns the bodies and the
 * number of data points in them.
 */
export async function metricsBodies({
  service = 'bench-app',
  counters = 20,
  histograms = 10,
  series = 50,
  delta = false,
  exponential = false,
  seed = 1,
} = {}) {
  const capture = await captureServer();
  const options = {
    url: capture.url,
    temporalityPreference: delta ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  const readers = [new JsonExporter(options), new ProtoExporter(options)].map(
    (exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 }),
  );
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.version': '1.4.2',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.version': '2.12.1',
      'host.name': 'bench-host',
      'process.pid': 4242,
    }),
    readers,
    views: exponential ? [{ instrumentType: InstrumentType.HISTOGRAM, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] : [],
  });
  const meter = provider.getMeter('bench', '1.0.0');
  let x = seed;
  const random = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  for (let c = 0; c < counters; c++) {
    const counter = meter.createCounter(`app.requests.count_${c}`, { unit: '{request}' });
    for (let s = 0; s < series; s++)
      counter.add(1 + Math.floor(random() * 100), { route: `/api/item/${s}`, status: s % 5 === 0 ? '500' : '200' });
  }
  for (let h = 0; h < histograms; h++) {
    const histogram = meter.createHistogram(`app.request.duration_${h}`, { unit: 'ms' });
    for (let s = 0; s < series; s++) {
      const attributes = { route: `/api/item/${s}`, status: s % 5 === 0 ? '500' : '200' };
      for (let o = 0; o < 20; o++) histogram.record(10 ** (random() * 4), attributes);
    }
  }
  await Promise.all(readers.map((reader) => reader.forceFlush()));
  await provider.shutdown();
  capture.close();
  const json = capture.bodies.get('application/json');
  const protobuf = capture.bodies.get('application/x-protobuf');
  if (json === undefined || protobuf === undefined) throw new Error('the SDK exporters sent no bodies');
  return { protobuf, json, points: (counters + histograms) * series };
}
