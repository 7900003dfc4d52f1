import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { answerClientErrors, closeServer, listenLoopback } from '../util/loopback-server.js';
import { gunzip } from 'node:zlib';
import type { IntakeLimits } from './limits.js';
import { encodeStatus, encodeSuccess, GRPC, loadProtobufCodec, type Encoding, type Signal } from './otlp-codec.js';
import { BadRequest, type IngestOutcome } from './ingest-metrics.js';

// OTLP/HTTP on 127.0.0.1: POST /v1/metrics and /v1/logs, protobuf or JSON, plain or
// gzip. Answers follow the OTLP specification, so SDKs do the right thing with them:
//   200  full or partial success (the body says how many were rejected and why);
//   400  a body that cannot be decoded (not retried by SDKs);
//   403  a request with an Origin header: web pages may not post into the intake;
//   404  /v1/traces: Candor does not collect traces (they carry names and URLs). A 4xx
//        other than 429 is not retried by any OTLP exporter (JS, Python, Go, Java,
//        .NET retry only 429/502/503/504, Python also 408 and 5xx), so an app with
//        tracing on logs one failed export per batch and carries on;
//   413  a body over the size bounds (compressed or inflated);
//   415  a content type or encoding other than protobuf/JSON and identity/gzip;
//   429  the intake spent its CPU budget for this second: Retry-After says when;
//   503  too many bytes buffered at once: Retry-After says when.
// Every 4xx/5xx body is a google.rpc.Status in the request's encoding.

export interface OtlpServerOptions {
  port: number;
  limits: IntakeLimits;
  /** Decodes and takes one request; throws BadRequest for a body that is not a request. */
  handle(signal: Signal, encoding: Encoding, body: Uint8Array): IngestOutcome;
  /** Counts each answer by what happened (for the intake's stats). */
  onAnswer?(what: string): void;
}

export interface OtlpServer {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const ROUTES: Readonly<Record<string, Signal | 'traces'>> = { '/v1/metrics': 'metrics', '/v1/logs': 'logs', '/v1/traces': 'traces' };

export const TRACES_REFUSED =
  'Candor does not collect traces (span names and attributes carry URLs, queries and names); only metrics and error logs are taken. Turn the trace exporter off (OTEL_TRACES_EXPORTER=none) to stop this message.';

function encodingOf(req: IncomingMessage): Encoding | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

function send(res: ServerResponse, status: number, encoding: Encoding, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly what: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Bytes of a refused body read and thrown away before answering, so the client reads
 * the answer (a server that closes with unread bytes makes the kernel reset the
 * connection, and the client may lose the answer) and can reuse the connection. A
 * body beyond this is not read: the answer goes out and the connection is closed.
 */
const DRAIN_BYTES = 16 * 1024 * 1024;

/** Reads the rest of a request and throws it away (never buffered); false when it passed `cap` or broke. */
function drain(req: IncomingMessage, cap: number): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let size = 0;
    const done = (ok: boolean): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(ok);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > cap) done(false);
    };
    const onEnd = (): void => done(true);
    const onError = (): void => done(false);
    const onClose = (): void => done(req.complete);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    req.resume();
  });
}

function inflate(body: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: max }, (error, out) => {
      if (error === null) resolve(out);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
        reject(new Refusal(413, GRPC.RESOURCE_EXHAUSTED, `the gzip body inflates to more than ${max} bytes`, 'too_large'));
      else reject(new Refusal(400, GRPC.INVALID_ARGUMENT, `the body is not valid gzip: ${error.message}`, 'bad_request'));
    });
  });
}

export async function startOtlpServer(options: OtlpServerOptions): Promise<OtlpServer> {
  const { limits } = options;
  let port = options.port;
  let inFlight = 0;
  let windowStart = performance.now();
  let busyMs = 0;
  const answered = (what: string): void => options.onAnswer?.(what);

  const busyNow = (): number => {
    const now = performance.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      busyMs = 0;
    }
    return busyMs;
  };

  /**
   * Reads the body within the bounds; its bytes count as in flight until the caller
   * subtracts `held`. Past a bound, the rest is read and thrown away (see drain) and the
   * refusal is thrown once the request has ended.
   */
  function readBody(req: IncomingMessage): Promise<{ body: Buffer; held: number }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refusal: Refusal | null = null;
      const stop = (why: Refusal): void => {
        refusal = why;
        inFlight -= size;
        chunks.length = 0;
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        reject(why);
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        inFlight += chunk.length;
        if (size > limits.maxBodyBytes)
          stop(new Refusal(413, GRPC.RESOURCE_EXHAUSTED, `the body is over ${limits.maxBodyBytes} bytes`, 'too_large'));
        else if (inFlight > limits.maxInFlightBytes)
          stop(
            new Refusal(503, GRPC.UNAVAILABLE, 'the intake is receiving too much at once; retry later', 'shed_memory', {
              'Retry-After': '2',
            }),
          );
        else chunks.push(chunk);
      };
      const onEnd = (): void => {
        req.off('data', onData);
        req.off('error', onError);
        if (refusal === null) resolve({ body: Buffer.concat(chunks, size), held: size });
      };
      const onError = (error: Error): void => {
        if (refusal === null) stop(new Refusal(400, GRPC.INVALID_ARGUMENT, `the body could not be read: ${error.message}`, 'bad_request'));
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, encoding: Encoding, signal: Signal): Promise<void> {
    const encoded = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoded !== 'identity' && encoded !== 'gzip')
      throw new Refusal(415, GRPC.INVALID_ARGUMENT, `Content-Encoding ${encoded} is not accepted (identity or gzip)`, 'unsupported');
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limits.maxBodyBytes)
      throw new Refusal(413, GRPC.RESOURCE_EXHAUSTED, `the body is ${declared} bytes, over ${limits.maxBodyBytes}`, 'too_large');
    if (inFlight + declared > limits.maxInFlightBytes)
      throw new Refusal(503, GRPC.UNAVAILABLE, 'the intake is receiving too much at once; retry later', 'shed_memory', {
        'Retry-After': '2',
      });
    if (busyNow() > limits.busyMsPerSecond)
      throw new Refusal(429, GRPC.RESOURCE_EXHAUSTED, 'the intake is busy; retry later', 'shed_busy', {
        'Retry-After': '1',
        Connection: 'close',
      });
    const { body, held } = await readBody(req);
    let inflatedHeld = 0;
    try {
      let data = body;
      if (encoded === 'gzip') {
        data = await inflate(body, limits.maxInflatedBytes);
        inflatedHeld = data.length;
        inFlight += inflatedHeld;
      }
      const started = performance.now();
      let outcome: IngestOutcome;
      try {
        outcome = options.handle(signal, encoding, data);
      } finally {
        busyNow();
        busyMs += performance.now() - started;
      }
      answered(outcome.rejected > 0 ? 'partial' : 'ok');
      send(res, 200, encoding, encodeSuccess(signal, encoding, outcome.rejected, outcome.message));
    } finally {
      inFlight -= held + inflatedHeld;
    }
  }

  async function refuse(res: ServerResponse, req: IncomingMessage, refusal: Refusal, encoding: Encoding): Promise<void> {
    answered(refusal.what);
    const declared = Number(req.headers['content-length'] ?? '0');
    const drained = declared <= DRAIN_BYTES && (await drain(req, DRAIN_BYTES));
    if (!drained) res.setHeader('Connection', 'close');
    send(res, refusal.status, encoding, encodeStatus(encoding, refusal.code, refusal.message), refusal.headers);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const encoding = encodingOf(req);
    const answerIn: Encoding = encoding ?? 'json';
    // Before any answer: a refusal of a protobuf request is protobuf too.
    if (encoding === 'protobuf') await loadProtobufCodec();
    try {
      if (req.headers.origin !== undefined)
        throw new Refusal(403, GRPC.PERMISSION_DENIED, 'requests from web pages (with an Origin header) are refused', 'refused_origin');
      const host = (req.headers.host ?? '').toLowerCase();
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
        throw new Refusal(421, GRPC.PERMISSION_DENIED, `the Host header must be 127.0.0.1:${port} or localhost:${port}`, 'refused_host');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const signal = ROUTES[path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path];
      if (signal === undefined)
        throw new Refusal(404, GRPC.NOT_FOUND, `no route ${path}: the intake takes POST /v1/metrics and /v1/logs`, 'not_found');
      if (req.method !== 'POST')
        throw new Refusal(405, GRPC.UNIMPLEMENTED, `${req.method ?? ''} is not allowed on ${path}: use POST`, 'bad_method', {
          Allow: 'POST',
        });
      if (signal === 'traces') throw new Refusal(404, GRPC.NOT_FOUND, TRACES_REFUSED, 'traces_refused');
      if (encoding === null)
        throw new Refusal(
          415,
          GRPC.INVALID_ARGUMENT,
          `Content-Type must be application/x-protobuf or application/json, got ${req.headers['content-type'] ?? 'none'}`,
          'unsupported',
        );
      await handle(req, res, encoding, signal);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      let refusal: Refusal;
      if (error instanceof Refusal) refusal = error;
      else if (error instanceof BadRequest) refusal = new Refusal(400, GRPC.INVALID_ARGUMENT, error.message, 'bad_request');
      else if (error instanceof RangeError || error instanceof TypeError)
        // A decoder tripping over hostile input throws these: still the sender's data.
        refusal = new Refusal(400, GRPC.INVALID_ARGUMENT, `the body could not be read: ${error.message}`, 'bad_request');
      else refusal = new Refusal(500, 13, `internal error: ${(error as Error).message}`, 'internal_error');
      await refuse(res, req, refusal, answerIn);
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => res.destroy());
  });
  answerClientErrors(
    server,
    (code) => JSON.stringify({ code: GRPC.INVALID_ARGUMENT, message: `malformed request: ${code}` }),
    () => answered('bad_request'),
  );
  port = await listenLoopback(server, options.port);
  return { port, server, close: () => closeServer(server) };
}
