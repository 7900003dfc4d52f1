// Request bodies for the intake benchmarks, made by the real OpenTelemetry JS SDK: a
// MeterProvider records a workload, a reader collects it, and the SDK's own OTLP
// serializers (what its exporters send) turn it into protobuf and JSON bodies.

import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, InstrumentType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class CollectingReader extends MetricReader {
  constructor(temporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  async onForceFlush() {}
  async onShutdown() {}
}

/**
 * One export of `counters` counters and `histograms` histograms (explicit default
 * buckets), each with `series` label sets of two attributes (route, status), from
 * service `service` (exponential: histograms with the SDK's exponential aggregation).
 * Returns the bodies and the number of data points in them.
 */
export async function metricsBodies({
  service = 'bench-app',
  counters = 20,
  histograms = 10,
  series = 50,
  temporality = AggregationTemporality.CUMULATIVE,
  exponential = false,
  seed = 1,
} = {}) {
  const reader = new CollectingReader(temporality);
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
    readers: [reader],
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
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const points = resourceMetrics.scopeMetrics.reduce((n, sm) => n + sm.metrics.reduce((m, metric) => m + metric.dataPoints.length, 0), 0);
  return {
    protobuf: Buffer.from(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)),
    json: Buffer.from(JsonMetricsSerializer.serializeRequest(resourceMetrics)),
    points,
  };
}
