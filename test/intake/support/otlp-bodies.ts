import { Agent, request } from 'node:http';
import { google, opentelemetry } from '../../../main/intake/generated/otlp.js';

// Hand-built OTLP requests (the shapes the spec defines, in OTLP/JSON field names) and a
// raw HTTP client that can send anything: wrong headers, broken bodies, no length.

export type Json = Record<string, unknown>;

export const attr = (key: string, value: unknown): Json => ({
  key,
  value: typeof value === 'string' ? { stringValue: value } : typeof value === 'number' ? { intValue: String(value) } : value,
});

export function resource(service: string | null, extra: Json[] = []): Json {
  return { attributes: [...(service === null ? [] : [attr('service.name', service)]), ...extra] };
}

export function counterPoint(value: number, attributes: Json[] = [], start = '1700000000000000000'): Json {
  return { attributes, startTimeUnixNano: start, timeUnixNano: '1700000060000000000', asInt: String(value) };
}

export function metricsRequest(service: string | null, metrics: Json[], extra: Json[] = []): Json {
  return { resourceMetrics: [{ resource: resource(service, extra), scopeMetrics: [{ scope: { name: 'test' }, metrics }] }] };
}

export function counter(name: string, points: Json[], temporality = 2): Json {
  return { name, unit: '1', sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: points } };
}

export function logsRequest(service: string | null, records: Json[]): Json {
  return { resourceLogs: [{ resource: resource(service), scopeLogs: [{ scope: { name: 'test' }, logRecords: records }] }] };
}

const v1 = opentelemetry.proto.collector;

/** The same request in protobuf, through the generated encoder (JSON int64 strings are accepted by it). */
export function protobufOf(signal: 'metrics' | 'logs', message: Json): Buffer {
  const type = signal === 'metrics' ? v1.metrics.v1.ExportMetricsServiceRequest : v1.logs.v1.ExportLogsServiceRequest;
  // The encoder takes the plain object as its message shape.
  return Buffer.from(type.encode(message as never).finish());
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A POST (or any method) with exactly these headers; `chunks` are written one by one (no Content-Length unless given). */
export function send(
  port: number,
  path: string,
  body: Buffer | Buffer[],
  headers: Record<string, string> = {},
  method = 'POST',
  agent: Agent | false = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks = Array.isArray(body) ? body : [body];
    const fixed = !Array.isArray(body) && headers['Content-Length'] === undefined ? { 'Content-Length': String(body.length) } : {};
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...fixed, ...headers }, agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

export const JSON_TYPE = { 'Content-Type': 'application/json' };
export const PROTOBUF_TYPE = { 'Content-Type': 'application/x-protobuf' };

/** The google.rpc.Status of an error answer, in either encoding. */
export function statusOf(answer: Answer): { code: number; message: string } {
  const type = String(answer.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) return JSON.parse(answer.body.toString('utf8')) as { code: number; message: string };
  const status = google.rpc.Status.decode(answer.body);
  return { code: status.code, message: status.message };
}

function count(value: unknown): number {
  if (typeof value === 'object' && value !== null && 'toNumber' in value) return (value as { toNumber(): number }).toNumber();
  return Number(value ?? 0);
}

/** rejected count and message of a success answer (0 and '' for a full success). */
export function partialOf(signal: 'metrics' | 'logs', answer: Answer): { rejected: number; message: string } {
  const type = String(answer.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) {
    const body = JSON.parse(answer.body.toString('utf8')) as { partialSuccess?: Record<string, string> };
    const p = body.partialSuccess;
    if (p === undefined) return { rejected: 0, message: '' };
    return {
      rejected: Number(p[signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords'] ?? 0),
      message: p['errorMessage'] ?? '',
    };
  }
  if (signal === 'metrics') {
    const p = v1.metrics.v1.ExportMetricsServiceResponse.decode(answer.body).partialSuccess;
    return { rejected: count(p?.rejectedDataPoints), message: p?.errorMessage ?? '' };
  }
  const p = v1.logs.v1.ExportLogsServiceResponse.decode(answer.body).partialSuccess;
  return { rejected: count(p?.rejectedLogRecords), message: p?.errorMessage ?? '' };
}
