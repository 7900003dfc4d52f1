import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tokenMatches } from '../util/bearer-token.js';
import { answerClientErrors, closeServer, listenLoopback } from '../util/loopback-server.js';
import type { AgentApi, CallName } from '../api.js';
import { callWithArgs, calls, ContractError, parseInput } from '../api.js';
import { PROMETHEUS_CONTENT_TYPE } from '../collect/prometheus.js';
import { sendEnvelope, sendError } from './http-envelope.js';
import { parseQuery, QueryError, readJsonBody } from './http-input.js';
import { serveStatic } from './http-static.js';
import { telemetryRoute } from './http-telemetry.js';

// The loopback API: the AgentApi calls as routes (derived from `calls`), plus the
// Qdrant-compatible GET /telemetry, Prometheus GET /metrics, an SSE stream of state
// changes and the preview page. Every request must name our Host (DNS rebinding),
// carry no foreign Origin (CSRF) and, except the static page, a bearer token.

export interface HttpServerOptions {
  api: AgentApi;
  token: string;
  port: number;
  /** Directory of the built renderer (index.html, main.js, styles.css), or null. */
  staticDir: string | null;
  /** The Prometheus exposition as bytes (see collect/prometheus.ts toPrometheusBytes). */
  metricsBytes: () => Buffer;
  /** Times each API request (ms) by route. */
  onRequestTimed?: (route: string, ms: number) => void;
}

/** The port is taken (EADDRINUSE): most likely by another Candor agent, on another data directory. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`cannot listen on ${host}:${port}: the port is already in use (another Candor agent may be running)`);
  }
}

export interface HttpServerHandle {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void>;
type Method = 'GET' | 'POST';

function errorStatus(error: unknown): { status: number; message: string } {
  if (error instanceof ContractError) return { status: error.status, message: error.message };
  if (error instanceof QueryError) return { status: error.status, message: error.message };
  if (error instanceof RangeError) return { status: 400, message: error.message };
  return { status: 500, message: `internal error: ${(error as Error).message ?? String(error)}` };
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  // Every route is an exact method + path from a fixed table, so a Map is the whole
  // router (find-my-way cost the agent ~9 MiB of memory for the same lookups).
  const routes = new Map<string, Handler>();
  const on = (method: Method, path: string, handler: Handler): void => {
    routes.set(`${method} ${path}`, handler);
  };
  const find = (method: string | undefined, pathname: string): Handler | undefined => {
    const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
    return routes.get(`${method ?? ''} ${path}`);
  };
  let port = options.port;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const authed =
    (route: string, handler: Handler): Handler =>
    async (req, res, query) => {
      const started = performance.now();
      if (!tokenMatches(req.headers.authorization, options.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="candor"');
        sendError(res, 401, started, 'missing or wrong Authorization: Bearer token (see `candor api-token`)');
        return;
      }
      try {
        await handler(req, res, query);
      } catch (error) {
        const { status, message } = errorStatus(error);
        // After a refused body the connection is not reused: the rest of it is unread.
        if (status === 413) res.setHeader('Connection', 'close');
        if (!res.headersSent) sendError(res, status, started, message);
        else res.destroy();
      } finally {
        options.onRequestTimed?.(route, performance.now() - started);
      }
    };

  for (const name of Object.keys(calls) as CallName[]) {
    const { method, path } = calls[name].http;
    on(
      method,
      path,
      authed(path, async (req, res, query) => {
        const started = performance.now();
        const input = method === 'GET' ? parseQuery(query, calls[name].input) : await readJsonBody(req);
        // Validated here, at the edge, once; the agent's handlers never parse again.
        const result = await callWithArgs(options.api, name, parseInput(name, input));
        sendEnvelope(res, 200, started, { result, status: 'ok' });
      }),
    );
  }

  on(
    'GET',
    '/telemetry',
    authed('/telemetry', (_req, res, query) => telemetryRoute(options.api, res, query)),
  );

  on(
    'GET',
    '/metrics',
    authed('/metrics', async (_req, res) => {
      const bytes = options.metricsBytes();
      res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': bytes.length, 'Cache-Control': 'no-store' });
      res.end(bytes);
    }),
  );

  on(
    'GET',
    '/events',
    authed('/events', async (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      const write = (status: unknown): void => {
        res.write(`data: ${JSON.stringify(status)}\n\n`);
      };
      write(await options.api.status({}));
      const unsubscribe = options.api.onStatus(write);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      keepAlive.unref();
      await new Promise<void>((resolve) => req.on('close', resolve));
      clearInterval(keepAlive);
      unsubscribe();
    }),
  );

  function route(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    if (!allowedHosts().has(req.headers.host ?? '')) {
      sendError(res, 421, started, `Host header must be 127.0.0.1:${port} or localhost:${port}`);
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      sendError(res, 403, started, `Origin ${origin} is not allowed`);
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      sendError(res, 400, started, 'the request target is not a valid URL path');
      return;
    }
    const handler = find(req.method, url.pathname);
    if (handler) {
      void handler(req, res, url.searchParams);
      return;
    }
    if (req.method === 'GET' && options.staticDir && serveStatic(options.staticDir, url.pathname, res)) return;
    const methodAllowed = (['GET', 'POST'] as const).some((m) => m !== req.method && find(m, url.pathname) !== undefined);
    sendError(
      res,
      methodAllowed ? 405 : 404,
      started,
      methodAllowed ? `${req.method ?? ''} not allowed on ${url.pathname}` : `no route ${url.pathname}`,
    );
  }

  const server = createServer((req, res) => {
    // Whatever a request does wrong, it gets an answer and the agent keeps running.
    try {
      route(req, res);
    } catch (error) {
      if (!res.headersSent) sendError(res, 400, performance.now(), `bad request: ${(error as Error).message}`);
      else res.destroy();
    }
  });
  // Requests node:http refuses itself (malformed headers, a header block over 16 KB)
  // still get the envelope, so every client sees the same kind of answer.
  answerClientErrors(server, (code) => JSON.stringify({ status: { error: `malformed request: ${code}` }, time: 0 }));
  try {
    port = await listenLoopback(server, options.port);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new PortInUseError('127.0.0.1', options.port) : error;
  }
  return { port, server, close: () => closeServer(server) };
}
