import { request } from 'node:http';
import net from 'node:net';

// Two ways to reach the loopback API: `send` (node:http, well-formed framing, any
// method, headers and body) and `sendRaw` (bytes on a socket, for request lines and
// headers node:http would refuse to write).

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface Target {
  port: number;
  token: string;
}

export function send(
  target: Target,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; token?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${target.port}`, Connection: 'close', ...opts.headers };
  const token = opts.token === undefined ? target.token : opts.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  if (opts.body !== undefined && headers['Transfer-Encoding'] === undefined)
    headers['Content-Length'] ??= String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: target.port, path, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may answer (413, 415) and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Writes `head` (and `body`) as they are; resolves with the whole answer, '' if the server closed without one. */
export function sendRaw(port: number, head: string, body: Buffer | string = ''): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    // A server that neither answers nor closes is a failure the caller sees as ''.
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', () => undefined);
    socket.write(head);
    if (body.length > 0) socket.write(body);
  });
}

/** Splits a raw answer into status code and body (de-chunked). */
export function parseRaw(raw: string): { status: number; body: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
  const at = raw.indexOf('\r\n\r\n');
  if (at < 0) return { status, body: '' };
  const head = raw.slice(0, at);
  let body = raw.slice(at + 4);
  if (/\r\ntransfer-encoding: chunked/i.test(head)) {
    let out = '';
    for (;;) {
      const eol = body.indexOf('\r\n');
      const size = parseInt(body.slice(0, eol), 16);
      if (eol < 0 || !(size > 0)) break;
      // Sizes count bytes; the envelope is ASCII JSON, so bytes and characters agree.
      out += body.slice(eol + 2, eol + 2 + size);
      body = body.slice(eol + 2 + size + 2);
    }
    body = out;
  }
  return { status, body };
}

/** The error message of Qdrant's envelope `{"status":{"error":"..."},"time":...}`, or null if `text` is not one. */
export function envelopeError(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { status, time } = body as { status?: { error?: unknown }; time?: unknown };
  if (typeof time !== 'number' || typeof status !== 'object' || status === null || typeof status.error !== 'string') return null;
  return status.error;
}
