import type protobufType from 'protobufjs/minimal.js';
import type * as Otlp from './generated/otlp.js';
import { BadRequest } from './ingest-metrics.js';

// Bodies in and answers out, in the two OTLP/HTTP encodings. Protobuf goes through the
// code protobufjs generated from the official opentelemetry-proto definitions
// (generated/otlp.js, scripts/gen-otlp-proto.mjs); JSON through JSON.parse, then the
// same walkers read both (they use the same lowerCamelCase field names).

export type Encoding = 'protobuf' | 'json';
export type Signal = 'metrics' | 'logs';

interface ProtobufCodec {
  protobuf: typeof protobufType;
  otlp: typeof Otlp;
}

let codec: ProtobufCodec | null = null;

/**
 * Loads the protobuf code at the first protobuf request: the generated OTLP code and
 * protobufjs hold ~7 MiB, which an agent that no app sends protobuf to never needs.
 */
export async function loadProtobufCodec(): Promise<void> {
  if (codec !== null) return;
  const [protobuf, otlp] = await Promise.all([import('protobufjs/minimal.js'), import('./generated/otlp.js')]);
  codec = { protobuf: protobuf.default, otlp };
}

function protobufCodec(): ProtobufCodec {
  if (codec === null) throw new Error('the protobuf codec is not loaded yet (await loadProtobufCodec() before a protobuf body)');
  return codec;
}

function reader(body: Uint8Array): protobufType.Reader {
  const r = protobufCodec().protobuf.Reader.create(body);
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
  const collector = protobufCodec().otlp.opentelemetry.proto.collector;
  try {
    return signal === 'metrics'
      ? collector.metrics.v1.ExportMetricsServiceRequest.decode(reader(body))
      : collector.logs.v1.ExportLogsServiceRequest.decode(reader(body));
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
  const collector = protobufCodec().otlp.opentelemetry.proto.collector;
  if (signal === 'metrics') {
    const body = partial ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: message } } : {};
    return Buffer.from(collector.metrics.v1.ExportMetricsServiceResponse.encode(body).finish());
  }
  const body = partial ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: message } } : {};
  return Buffer.from(collector.logs.v1.ExportLogsServiceResponse.encode(body).finish());
}

/** google.rpc.Status, the body OTLP/HTTP gives every 4xx and 5xx answer. */
export function encodeStatus(encoding: Encoding, code: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(protobufCodec().otlp.google.rpc.Status.encode({ code, message }).finish());
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
