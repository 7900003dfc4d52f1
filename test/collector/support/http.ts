import { request } from 'node:http';
import { gzipSync } from 'node:zlib';

// Requests to a collector as an agent makes them (gzip JSON, a fresh socket each), or
// broken in the ways the tests need; the answer with its status, headers and JSON.

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

export interface SendOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as is (already encoded); otherwise `json` is gzipped. */
  raw?: Buffer;
  json?: unknown;
  token?: string;
  /** The client's source address (e.g. 127.0.0.2, to find it in logs and files). */
  localAddress?: string;
}

export function send(base: string, path: string, options: SendOptions = {}): Promise<Answer> {
  const url = new URL(path, base);
  const body = options.raw ?? (options.json === undefined ? undefined : gzipSync(Buffer.from(JSON.stringify(options.json))));
  const headers: Record<string, string> = {
    ...(body !== undefined && options.raw === undefined ? { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } : {}),
    ...(options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  if (body !== undefined) headers['Content-Length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false, localAddress: options.localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = {};
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function postReport(base: string, payload: unknown, options: SendOptions = {}): Promise<Answer> {
  return send(base, '/v1/reports', { ...options, json: payload });
}
