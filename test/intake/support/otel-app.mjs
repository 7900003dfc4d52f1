// An app instrumented with the real OpenTelemetry JS SDK, run as a child process by the
// intake tests: nothing in it knows about Candor. It takes a scenario (JSON, argv[2]),
// records it through the SDK's own meter and logger, exports through the SDK's own
// OTLP exporters (http/json or http/protobuf, optionally gzip), and prints one JSON
// line with what each export reported.
//
// Scenario: { url, protocol: 'json'|'protobuf', gzip?, resource: {attr: value},
//   temporality?: 'cumulative'|'delta', exponential?: true, bounds?: number[],
//   rounds: [ { counters?: [{name, unit?, value, attributes?}],
//               histograms?: [{name, unit?, values: number[], attributes?}],
//               gauges?: [{name, value}],
//               logs?: [{severity: 'INFO'|'ERROR'|..., body?, attributes?, exception?: {name, message, stack}}] } ],
//   traces?: number }
// Each round is recorded then flushed (one export per signal per round).

import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationType, InstrumentType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

const scenario = JSON.parse(process.argv[2]);
const results = { metrics: [], logs: [], traces: [] };

/** Records each export's outcome as the SDK reports it. */
function recording(exporter, into) {
  return new Proxy(exporter, {
    get(target, prop, receiver) {
      if (prop === 'export') {
        return (items, done) =>
          target.export(items, (result) => {
            into.push({ code: result.code, error: result.error === undefined ? null : String(result.error.message ?? result.error) });
            done(result);
          });
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const json = scenario.protocol === 'json';
const exporterOptions = (path) => ({
  url: `${scenario.url}${path}`,
  compression: scenario.gzip ? 'gzip' : 'none',
  temporalityPreference:
    scenario.temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  timeoutMillis: 10_000,
});
const resource = resourceFromAttributes(scenario.resource);

const metricExporter = recording(
  json ? new JsonMetricExporter(exporterOptions('/v1/metrics')) : new ProtoMetricExporter(exporterOptions('/v1/metrics')),
  results.metrics,
);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
  exportTimeoutMillis: 10_000,
});
// Views on histogram instruments only: an instrumentName '*' view would turn counters and gauges into histograms too.
const views = [];
const histogramsOnly = { instrumentType: InstrumentType.HISTOGRAM };
if (scenario.exponential) views.push({ ...histogramsOnly, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } });
else if (scenario.bounds)
  views.push({
    ...histogramsOnly,
    aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: scenario.bounds } },
  });
const meterProvider = new MeterProvider({ resource, readers: [reader], views });
const meter = meterProvider.getMeter('candor-intake-test', '1.0.0');

const logExporter = recording(
  json ? new JsonLogExporter(exporterOptions('/v1/logs')) : new ProtoLogExporter(exporterOptions('/v1/logs')),
  results.logs,
);
const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
const logger = loggerProvider.getLogger('candor-intake-test');

const counters = new Map();
const histogramInstruments = new Map();
const gaugeValues = new Map();
const instrument = (map, name, make) => {
  if (!map.has(name)) map.set(name, make());
  return map.get(name);
};

for (const round of scenario.rounds ?? []) {
  for (const c of round.counters ?? []) {
    instrument(counters, c.name, () => meter.createCounter(c.name, { unit: c.unit ?? '' })).add(c.value, c.attributes ?? {});
  }
  for (const h of round.histograms ?? []) {
    const histogram = instrument(histogramInstruments, h.name, () => meter.createHistogram(h.name, { unit: h.unit ?? '' }));
    for (const v of h.values) histogram.record(v, h.attributes ?? {});
  }
  for (const g of round.gauges ?? []) {
    gaugeValues.set(g.name, g.value);
    instrument(counters, `gauge:${g.name}`, () => {
      const gauge = meter.createObservableGauge(g.name);
      gauge.addCallback((result) => result.observe(gaugeValues.get(g.name)));
      return gauge;
    });
  }
  for (const l of round.logs ?? []) {
    const record = { severityNumber: SeverityNumber[l.severity], severityText: l.severity, body: l.body, attributes: l.attributes ?? {} };
    if (l.exception) {
      const error = new Error(l.exception.message);
      error.name = l.exception.name;
      if (l.exception.stack) error.stack = l.exception.stack;
      record.exception = error;
    }
    logger.emit(record);
  }
  await reader.forceFlush().catch(() => undefined);
  await loggerProvider.forceFlush();
}

if (scenario.traces) {
  // The trace exporter's own machinery (what @opentelemetry/exporter-trace-otlp-http
  // wraps): the OTLP HTTP export delegate with its retrying transport, and the SDK's
  // JSON trace serializer. Counts requests through the intake's answer, not here.
  const { createOtlpHttpExportDelegate, convertLegacyHttpOptions } = await import('@opentelemetry/otlp-exporter-base/node-http');
  const { JsonTraceSerializer, ProtobufTraceSerializer, TraceExporterMetricsHelper } = await import('@opentelemetry/otlp-transformer');
  const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace');
  const memory = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = tracerProvider.getTracer('candor-intake-test');
  for (let i = 0; i < scenario.traces; i++) tracer.startSpan(`GET /users/${i}`).end();
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions({ url: `${scenario.url}/v1/traces`, timeoutMillis: 10_000 }, 'TRACES', 'v1/traces', {
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
    }),
    json ? JsonTraceSerializer : ProtobufTraceSerializer,
    'otlp_http_span_exporter',
    TraceExporterMetricsHelper,
  );
  const started = Date.now();
  await new Promise((resolve) =>
    delegate.export(memory.getFinishedSpans(), (result) => {
      results.traces.push({
        code: result.code,
        error: result.error === undefined ? null : String(result.error.message),
        ms: Date.now() - started,
      });
      resolve();
    }),
  );
  await delegate.shutdown();
}

await meterProvider.shutdown().catch(() => undefined);
await loggerProvider.shutdown();
process.stdout.write(`${JSON.stringify(results)}\n`);
