// A small "order service" instrumented with the standard OpenTelemetry SDK for Node.
// Nothing in it knows about Candor: it exports OTLP/HTTP to the endpoint the standard
// variables name, http://localhost:4318 when none is set, which is where Candor's
// intake listens. Candor then lists it as a source (by service.name) and keeps its data
// waiting until the person using the machine allows or denies it.
//
//   node app.mjs                 # runs until Ctrl-C, exporting every 10 s
//   node app.mjs --seconds 5     # runs 5 s, exports, exits
//
// Standard variables it honours (as every OpenTelemetry SDK does):
//   OTEL_SERVICE_NAME               (default otel-node-example)
//   OTEL_EXPORTER_OTLP_ENDPOINT     (default http://localhost:4318)
//   OTEL_EXPORTER_OTLP_PROTOCOL     http/protobuf (default) or http/json
//   OTEL_METRIC_EXPORT_INTERVAL     milliseconds (default 10000 here, 60000 in the spec)

import { metrics } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

const json = process.env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json';
const seconds = process.argv.includes('--seconds') ? Number(process.argv[process.argv.indexOf('--seconds') + 1]) : Infinity;

// service.name is what the person sees and answers for: give the app a clear one.
const resource = defaultResource().merge(
  resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'otel-node-example', 'service.version': '1.0.0' }),
);

const meterProvider = new MeterProvider({
  resource,
  readers: [
    new PeriodicExportingMetricReader({
      exporter: json ? new JsonMetricExporter() : new ProtoMetricExporter(),
      exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 10_000),
    }),
  ],
});
metrics.setGlobalMeterProvider(meterProvider);
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new BatchLogRecordProcessor({ exporter: json ? new JsonLogExporter() : new ProtoLogExporter() })],
});

const meter = metrics.getMeter('order-service', '1.0.0');
const orders = meter.createCounter('orders.placed', { unit: '{order}', description: 'Orders placed.' });
const duration = meter.createHistogram('orders.checkout.duration', { unit: 'ms', description: 'Time to check out an order.' });
const logger = loggerProvider.getLogger('order-service');

const ROUTES = ['/cart', '/checkout', '/pay'];
let n = 0;
function placeOrder() {
  n++;
  const route = ROUTES[n % ROUTES.length];
  const ms = 20 + Math.random() * 180;
  orders.add(1, { 'http.route': route, 'payment.method': n % 4 === 0 ? 'card' : 'invoice' });
  duration.record(ms, { 'http.route': route });
  logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `order ${n} placed` });
  if (n % 25 === 0) {
    const error = new Error(`payment gateway timed out after ${Math.round(ms)} ms`);
    error.name = 'GatewayTimeout';
    logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment failed', exception: error });
  }
}

const timer = setInterval(placeOrder, 50);
async function stop() {
  clearInterval(timer);
  // Shutting down exports what is left.
  await Promise.allSettled([meterProvider.shutdown(), loggerProvider.shutdown()]);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (Number.isFinite(seconds)) setTimeout(stop, seconds * 1000);
console.log(
  `otel-node-example: placing orders, exporting to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318'} (${json ? 'http/json' : 'http/protobuf'})`,
);
