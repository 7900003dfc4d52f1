import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

// A real HTTP server on 127.0.0.1 playing the telemetry collector: it records every
// request (body gunzipped), counts TCP connections, and answers as scripted.

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type ScriptedAnswer = number | { status: number; headers: Record<string, string> };

export interface Collector {
  url: string;
  port: number;
  received: ReceivedRequest[];
  connections(): number;
  /** Answers in order (a status, or a status with extra headers such as Retry-After); when exhausted, 200. */
  script(answers: ScriptedAnswer[]): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
  server: Server;
}

export async function startCollector(path = '/ingest'): Promise<Collector> {
  const received: ReceivedRequest[] = [];
  let connections = 0;
  let answers: ScriptedAnswer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = answers.shift() ?? 200;
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close', ...headers });
      res.end('{}');
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received,
    server,
    connections: () => connections,
    script(next) {
      answers = [...next];
    },
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`collector: expected ${count} requests, got ${received.length} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
