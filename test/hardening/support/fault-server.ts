import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { listenRetrying } from '../../support/listen.js';

// A loopback collector that misbehaves on purpose. Each request gets the fault the
// plan names for its index; the server records what it read and which answers were
// complete 2xx, so a test can tell "delivered" from "seen but refused" from "lost".

export type Fault =
  /** A normal answer with this status (and headers/body). */
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Reads the request and never answers: longer than any upload timeout. */
  | 'hang'
  /** Reads the request, then closes the connection without a byte of response. */
  | 'close-before-response'
  /** Sends a 200 status line and half the promised body, then closes the connection. */
  | 'close-mid-response'
  /** Answers with bytes that are not HTTP. */
  | 'garbage';

export interface FaultServer {
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted (for TLS: including handshakes the client refused). */
  connections(): number;
  /** Requests whose body was read completely, in order, gunzipped. */
  readonly seen: string[];
  /** Bodies answered with a complete 2xx: what the collector has accepted. */
  readonly accepted: string[];
  /** The fault used for each request, in order. */
  readonly faults: Fault[];
  /** TLS handshakes that failed (the client refused our certificate). */
  tlsFailures(): number;
  plan(next: (index: number) => Fault): void;
  /** Resolves once `check()` holds; polls cheaply, gives up after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FaultServerOptions {
  /** PEM key and certificate: serve HTTPS instead of HTTP. */
  tls?: { key: string; cert: string };
  /** Listen on this port (0 = any free one). */
  port?: number;
}

const OK: Fault = { status: 200, body: '{}' };

function answer(fault: Fault, req: IncomingMessage, res: ServerResponse): void {
  const socket: Socket = req.socket;
  if (fault === 'hang') return;
  if (fault === 'close-before-response') {
    socket.destroy();
    return;
  }
  if (fault === 'close-mid-response') {
    // Flush the head and a few body bytes, then cut the connection short.
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '200' });
    res.write('{"accepted":', () => socket.destroy());
    return;
  }
  if (fault === 'garbage') {
    socket.end('\x00\x01NOT HTTP AT ALL\r\n\r\n\xff\xfe');
    return;
  }
  res.writeHead(fault.status, { 'Content-Type': 'application/json', Connection: 'close', ...fault.headers });
  res.end(fault.body ?? '');
}

export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const seen: string[] = [];
  const accepted: string[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  let plan: (index: number) => Fault = () => OK;
  let connections = 0;
  let tlsFailures = 0;

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let text: string;
      try {
        text = gunzipSync(raw).toString('utf8');
      } catch {
        text = raw.toString('utf8');
      }
      const index = seen.length;
      seen.push(text);
      const fault = plan(index);
      faults.push(fault);
      if (typeof fault === 'object' && fault.status >= 200 && fault.status < 300) {
        res.on('finish', () => accepted.push(text));
      }
      answer(fault, req, res);
    });
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {
    tlsFailures += 1;
  });
  // A port from unusedPort() may have been taken meanwhile: wait for it rather than fail.
  await listenRetrying(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';

  return {
    url: `${scheme}://127.0.0.1:${port}/v1/telemetry`,
    port,
    seen,
    accepted,
    faults,
    connections: () => connections,
    tlsFailures: () => tlsFailures,
    plan(next) {
      plan = next;
    },
    async until(check, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline)
          throw new Error(`fault server: timed out waiting for ${what} (${seen.length} requests seen, ${accepted.length} accepted)`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on right now (the "collector is down" case); startFaultServer({ port }) retries while it is briefly taken. */
export async function unusedPort(): Promise<number> {
  const server = createHttpServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
