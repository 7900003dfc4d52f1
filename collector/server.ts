import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { log } from '../main/util/log.js';
import { APP_ROOT } from '../main/version.js';
import { PAGE_CSP } from '../main/transport/http-static.js';
import { Batcher, type BatcherOptions } from './batcher.js';
import { BodyError, type BodyLimits } from './http-body.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { sendError, sendJson } from './respond.js';
import { authorized, getAggregates, getAggregatesCsv, getInstance } from './routes/admin.js';
import type { RouteContext } from './routes/context.js';
import { postDeletion } from './routes/deletion.js';
import { postReport } from './routes/reports.js';
import { StoreUnavailableError, type Store } from './store/store.js';

// The collector's HTTP server. What it reads of a request: the method, the path and
// query, the body, and the headers Content-Type, Content-Encoding, Content-Length,
// Authorization (admin routes), Origin (to refuse web pages) and Host (only to compare
// with Origin). Never the peer address, User-Agent or any forwarding header: nothing
// about the client is stored, logged or used, and the rate limits need none of it.

export const DASHBOARD_DIR = join(APP_ROOT, 'dist', 'collector', 'dashboard');

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
};

export interface CollectorServerOptions {
  store: Store;
  host: string;
  port: number;
  adminToken: string;
  minGroupSize: number;
  limits: BodyLimits;
  rateLimit: RateLimitOptions;
  batcher?: Omit<BatcherOptions, 'store'>;
  /** The built dashboard (index.html, dashboard.js, dashboard.css); null serves none. */
  dashboardDir?: string | null;
  now?: () => Date;
}

export interface CollectorServer {
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:6335/ */
  readonly url: string;
  readonly server: Server;
  readonly batcher: Batcher;
  /** Stops taking requests, writes what was accepted, closes the server (not the store). */
  close(): Promise<void>;
}

type Handler = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void>;

const ROUTES: Record<string, { method: 'GET' | 'POST'; admin: boolean; handler: Handler }> = {
  '/v1/reports': { method: 'POST', admin: false, handler: postReport },
  '/v1/deletion-requests': { method: 'POST', admin: false, handler: postDeletion },
  '/v1/aggregates': { method: 'GET', admin: true, handler: getAggregates },
  '/v1/aggregates.csv': { method: 'GET', admin: true, handler: getAggregatesCsv },
  '/v1/health': {
    method: 'GET',
    admin: false,
    handler: async (_ctx, _req, res) => sendJson(res, 200, { status: 'ok' }),
  },
};

function failure(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof BodyError) {
    // The rest of a refused body is unread: do not reuse the connection.
    if (error.status === 413) res.setHeader('Connection', 'close');
    sendError(res, error.status, error.message);
    return;
  }
  if (error instanceof StoreUnavailableError) {
    sendError(res, 503, `storage unavailable, try again later: ${error.message}`, { 'Retry-After': String(error.retryAfterS) });
    return;
  }
  log.error(`collector: internal error: ${(error as Error).stack ?? String(error)}`);
  sendError(res, 500, `internal error: ${(error as Error).message}`);
}

function serveStatic(dir: string | null, pathname: string, res: ServerResponse): boolean {
  const entry = STATIC[pathname];
  if (dir === null || entry === undefined) return false;
  const path = join(dir, entry.file);
  if (!existsSync(path)) return false;
  const bytes = readFileSync(path);
  res.writeHead(200, {
    'Content-Type': entry.type,
    'Content-Length': String(bytes.length),
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  });
  res.end(bytes);
  return true;
}

export async function startCollectorServer(options: CollectorServerOptions): Promise<CollectorServer> {
  const batcher = new Batcher({ store: options.store, ...options.batcher });
  const ctx: RouteContext = {
    store: options.store,
    batcher,
    limiter: new RateLimiter(options.rateLimit),
    limits: options.limits,
    adminToken: options.adminToken,
    minGroupSize: options.minGroupSize,
    now: options.now ?? (() => new Date()),
  };
  const dashboardDir = options.dashboardDir === undefined ? DASHBOARD_DIR : options.dashboardDir;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Every agent's report names the path exactly: it needs no URL parser (nor its allocations).
    if (req.url === '/v1/reports' && req.method === 'POST' && req.headers.origin === undefined) {
      await postReport(ctx, req, res);
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collector.invalid');
    } catch {
      sendError(res, 400, 'the request target is not a valid URL path');
      return;
    }
    const path = url.pathname;
    const route = ROUTES[path];
    const instance = /^\/v1\/instances\/([^/]+)$/.exec(path);
    if (route === undefined && instance === null) {
      if (req.method === 'GET' && serveStatic(dashboardDir, path, res)) return;
      req.resume();
      sendError(res, 404, `no route ${path}`);
      return;
    }
    const method = route?.method ?? 'GET';
    if (req.method !== method) {
      req.resume();
      sendError(res, 405, `${req.method ?? ''} not allowed on ${path}`, { Allow: method });
      return;
    }
    if (route !== undefined && !route.admin && method === 'POST' && req.headers.origin !== undefined) {
      req.resume();
      sendError(res, 403, 'requests from web pages are not accepted');
      return;
    }
    if ((route?.admin ?? true) && !authorized(ctx, req, res)) {
      req.resume();
      return;
    }
    if (instance !== null) {
      let id: string;
      try {
        id = decodeURIComponent(instance[1] ?? '');
      } catch {
        sendError(res, 400, `the instance id in ${path} is not valid percent-encoding`);
        return;
      }
      await getInstance(ctx, res, id);
    } else await route?.handler(ctx, req, res, url.searchParams);
  };

  const server = createServer((req, res) => {
    // Whatever a request does wrong, it gets an answer and the collector keeps running.
    handle(req, res).catch((error: unknown) => failure(res, error));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: `malformed request: ${error.code ?? error.message}` });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    host: options.host,
    port,
    url: `http://${hostInUrl}:${port}/`,
    server,
    batcher,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await batcher.flush();
    },
  };
}
