import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

// A real HTTP server on 127.0.0.1 playing the telemetry collector: it records every
// request (body gunzipped) with when it arrived and when it was answered, counts TCP
// connections, and answers as scripted. With `deduplicate` it also plays a receiver
// that keeps one copy per report, the way issue 10 asks a collector to: the key is the
// Idempotency-Key header, else the body's `report_id`.

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Date.now() when the request's headers arrived. */
  arrivedAt: number;
  /** Date.now() right before the answer was written; null until then. */
  answeredAt: number | null;
  /** The status answered; null until then. */
  status: number | null;
}

export type ScriptedAnswer = number | { status: number; headers: Record<string, string> };

export interface CollectorOptions {
  /** Path in the returned url (default /ingest). */
  path?: string;
  /**
   * Keep one copy per report: a 2xx-answered request whose key was held before is
   * counted as a duplicate, not held again. Requests answered otherwise are not held.
   */
  deduplicate?: boolean;
  /**
   * Milliseconds to wait before answering request number `index` (0-based). The report is
   * held on arrival, as a receiver that processes first and answers late would.
   */
  answerDelayMs?: (index: number) => number;
}

export interface Collector {
  url: string;
  port: number;
  /** Every request, copies included, in arrival order. */
  received: ReceivedRequest[];
  /** What a deduplicating receiver kept (without `deduplicate`: every 2xx-answered request). */
  held: ReceivedRequest[];
  /** Copies of a report already held that arrived again (and were answered 2xx). */
  duplicates(): number;
  connections(): number;
  /** Answers in order (a status, or a status with extra headers such as Retry-After); when exhausted, 200. */
  script(answers: ScriptedAnswer[]): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
  server: Server;
}

/** The key a receiver deduplicates on: the Idempotency-Key (a bare or quoted string), else the body's report_id. */
export function dedupKey(request: Pick<ReceivedRequest, 'headers' | 'body'>): string | null {
  const header = request.headers['idempotency-key'];
  if (typeof header === 'string' && header !== '') return header.replace(/^"(.*)"$/, '$1');
  try {
    const parsed = JSON.parse(request.body) as { report_id?: unknown };
    return typeof parsed.report_id === 'string' ? parsed.report_id : null;
  } catch {
    return null;
  }
}

export async function startCollector(pathOrOptions: string | CollectorOptions = {}): Promise<Collector> {
  const options: CollectorOptions = typeof pathOrOptions === 'string' ? { path: pathOrOptions } : pathOrOptions;
  const path = options.path ?? '/ingest';
  const received: ReceivedRequest[] = [];
  const held: ReceivedRequest[] = [];
  const keys = new Set<string>();
  let duplicates = 0;
  let connections = 0;
  let answers: ScriptedAnswer[] = [];
  const server = createServer((req, res) => {
    const arrivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        arrivedAt,
        answeredAt: null,
        status: null,
      };
      const index = received.push(request) - 1;
      const answer = answers.shift() ?? 200;
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      if (status >= 200 && status < 300) {
        const key = options.deduplicate ? dedupKey(request) : null;
        if (key !== null && keys.has(key)) duplicates += 1;
        else {
          if (key !== null) keys.add(key);
          held.push(request);
        }
      }
      const reply = (): void => {
        request.answeredAt = Date.now();
        request.status = status;
        res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close', ...headers });
        res.end('{}');
      };
      const delay = options.answerDelayMs?.(index) ?? 0;
      if (delay > 0) setTimeout(reply, delay);
      else reply();
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
    held,
    server,
    duplicates: () => duplicates,
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
