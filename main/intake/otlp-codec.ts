import protobuf from 'protobufjs/minimal.js';
import { google, opentelemetry } from './generated/otlp.js';
import { BadRequest } from './ingest-metrics.js';

// Bodies in and answers out, in the two OTLP/HTTP encodings. Protobuf goes through the
// code protobufjs generated from the official opentelemetry-proto definitions
// (generated/otlp.js, scripts/gen-otlp-proto.mjs); JSON through JSON.parse, then the
// same walkers read both (they use the same lowerCamelCase field names).

export type Encoding = 'protobuf' | 'json';
export type Signal = 'metrics' | 'logs';

const collector = opentelemetry.proto.collector;
const MetricsRequest = collector.metrics.v1.ExportMetricsServiceRequest;
const LogsRequest = collector.logs.v1.ExportLogsServiceRequest;
const MetricsResponse = collector.metrics.v1.ExportMetricsServiceResponse;
const LogsResponse = collector.logs.v1.ExportLogsServiceResponse;
const Status = google.rpc.Status;

function reader(body: Uint8Array): protobuf.Reader {
  const r = protobuf.Reader.create(body);
  // Unknown fields are skipped, never kept (protobufjs would otherwise keep their bytes).
  r.discardUnknown = true;
  return r;
}

/** The request, decoded; BadRequest naming what was wrong when it cannot be. */
export function decodeRequest(signal: Signal, encoding: Encoding, body: Uint8Array): unknown {
  if (encoding === 'json') {
    try {
      return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as unknown;
    } catch (error) {
      throw new BadRequest(`the body is not valid JSON: ${(error as Error).message}`);
    }
  }
  try {
    return signal === 'metrics' ? MetricsRequest.decode(reader(body)) : LogsRequest.decode(reader(body));
  } catch (error) {
    // protobufjs names the failure: index out of range, invalid wire type, max depth exceeded, ...
    throw new BadRequest(
      `the body is not a valid protobuf Export${signal === 'metrics' ? 'Metrics' : 'Logs'}ServiceRequest: ${(error as Error).message}`,
    );
  }
}

/** The success answer; a partial success when something was rejected or there is a message for the sender. */
export function encodeSuccess(signal: Signal, encoding: Encoding, rejected: number, message: string): Buffer {
  const partial = rejected > 0 || message !== '';
  if (encoding === 'json') {
    if (!partial) return Buffer.from('{}');
    const field = signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords';
    // int64 is a string in OTLP/JSON.
    return Buffer.from(JSON.stringify({ partialSuccess: { [field]: String(rejected), errorMessage: message } }));
  }
  if (signal === 'metrics') {
    const body = partial ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: message } } : {};
    return Buffer.from(MetricsResponse.encode(body).finish());
  }
  const body = partial ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: message } } : {};
  return Buffer.from(LogsResponse.encode(body).finish());
}

/** google.rpc.Status, the body OTLP/HTTP gives every 4xx and 5xx answer. */
export function encodeStatus(encoding: Encoding, code: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(Status.encode({ code, message }).finish());
}

/** gRPC status codes the answers carry (OTLP clients log them; they decide nothing by them). */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
} as const;
