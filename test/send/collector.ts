import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { setLogLevel, setLogSink } from '../../main/util/log.js';
import { listenRetrying } from '../support/listen.js';

// A real HTTP collector on 127.0.0.1 for the send tests: scripted answers, every
// request recorded (body gunzipped), every connection counted.

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw (gzip) body. */
  body: Buffer;
  /** The gunzipped body as text, or null if it was not gzip. */
  text: string | null;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
export type Responder = (request: Received, index: number) => Answer;

export class Collector {
  readonly requests: Received[] = [];
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private waiters: (() => void)[] = [];

  private constructor(
    readonly server: Server,
    public respond: Responder,
  ) {
    server.on('connection', (socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.notify();
      });
      this.notify();
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let text: string | null = null;
        try {
          text = gunzipSync(body).toString('utf8');
        } catch {
          text = null;
        }
        const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, text };
        this.requests.push(received);
        const answer = this.respond(received, this.requests.length - 1);
        this.notify();
        if (answer === 'hang') return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      });
    });
  }

  /** Listens on 127.0.0.1 (port 0 = any free port). */
  static async start(respond: Responder = () => ({ status: 204 }), port = 0): Promise<Collector> {
    const collector = new Collector(createServer(), respond);
    // A port from freePort() may have been taken meanwhile: wait for it rather than fail.
    await listenRetrying(collector.server, port);
    return collector;
  }

  /** A port nothing listens on (yet): for connection-refused tests. start() on it retries while it is briefly taken. */
  static async freePort(): Promise<number> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/telemetry`;
  }

  /** Sockets currently open on the server side. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Resolves once `n` requests have arrived. */
  waitForRequests(n: number): Promise<void> {
    return this.until(() => this.requests.length >= n);
  }

  /** Resolves once no connection is open: nothing lingers after a send. */
  allClosed(): Promise<void> {
    return this.until(() => this.sockets.size === 0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (done()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const check of waiting) check();
  }
}

/**
 * A minimal payload-shaped report: the pipeline reads only id, report_id, details_level
 * and delivery. Without `reportId` it is a payload v1 report (no report_id).
 */
export function reportJson(n: number, extra: { id?: string; reportId?: string; dropped?: number; level?: number } = {}): string {
  return JSON.stringify({
    schema_version: extra.reportId === undefined ? 1 : 2,
    id: extra.id ?? '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
    ...(extra.reportId === undefined ? {} : { report_id: extra.reportId }),
    details_level: extra.level ?? 1,
    generated_at: '2026-01-01T00:00:00.000Z',
    delivery: { dropped_reports: extra.dropped ?? 0 },
    n,
    padding: 'x'.repeat(50),
  });
}

/** Collects log lines (every level) until restore(). */
export function captureLog(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const previous = setLogSink((_level, line) => lines.push(line));
  const previousLevel = 'info';
  setLogLevel('debug');
  return {
    lines,
    restore: () => {
      setLogSink(previous);
      setLogLevel(previousLevel);
    },
  };
}
