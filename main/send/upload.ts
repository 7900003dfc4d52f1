import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseRetryAfter } from './retry-after.js';

export type UploadResult =
  /** `body`: the first ~1 KB of the answer (a deletion receipt is read from it). */
  | { kind: 'delivered'; status: number; body: string }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; error: string }
  | { kind: 'rejected'; status: number; error: string };

export interface PostOptions {
  url: string;
  /** Already gzip-compressed JSON. */
  body: Buffer;
  userAgent: string;
  /** Deadline for the whole exchange (connect, upload, response), not an idle timeout. */
  timeoutMs: number;
  /** Aborting destroys the socket at once; the result is then a retry with error 'aborted'. */
  signal?: AbortSignal;
  /**
   * Sent as `Idempotency-Key`: the same on every copy of one report, so a receiver that
   * saw it before (the answer was lost, a crash came before the delivery was recorded)
   * keeps one. Omitted when undefined.
   */
  idempotencyKey?: string;
}

/** How much of a refusal's response body goes into the reason: enough to read, not a log flood. */
const REASON_BODY_CHARS = 300;

function classify(response: IncomingMessage, text: string): UploadResult {
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return { kind: 'delivered', status, body: text };
  const label = `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    return retryAfterMs === undefined ? { kind: 'retry', status, error: label } : { kind: 'retry', status, retryAfterMs, error: label };
  }
  // A redirect is not followed (the report goes to the configured endpoint or nowhere);
  // it is usually a captive portal, so it is retried rather than blamed on the report.
  if (status >= 300 && status < 400) return { kind: 'retry', status, error: `${label} (redirects are not followed)` };
  const detail = text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, REASON_BODY_CHARS);
  return { kind: 'rejected', status, error: detail ? `${label}: ${detail}` : label };
}

/**
 * POSTs a gzip JSON body. Never rejects: every outcome is an UploadResult. A fresh
 * socket per request (`agent: false`, `Connection: close`) so nothing lingers after
 * the answer: a telemetry agent should not hold connections to its collector.
 */
export function postGzipJson(opts: PostOptions): Promise<UploadResult> {
  let target: URL;
  try {
    target = new URL(opts.url);
  } catch {
    return Promise.resolve({ kind: 'retry', error: `invalid endpoint URL ${JSON.stringify(opts.url)}` });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.resolve({ kind: 'retry', error: `unsupported endpoint protocol ${target.protocol}` });
  }
  if (opts.signal?.aborted) return Promise.resolve({ kind: 'retry', error: 'aborted' });

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: UploadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(target, {
      method: 'POST',
      agent: false,
      headers: {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
        'Content-Length': opts.body.length,
        'User-Agent': opts.userAgent,
        Connection: 'close',
        ...(opts.idempotencyKey === undefined ? {} : { 'Idempotency-Key': opts.idempotencyKey }),
      },
    });
    const deadline = setTimeout(() => {
      finish({ kind: 'retry', error: `timeout after ${opts.timeoutMs} ms` });
      request.destroy();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      finish({ kind: 'retry', error: 'aborted' });
      request.destroy();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'retry', error: error.code ?? error.message }));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < 4 * REASON_BODY_CHARS) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'retry', error: error.code ?? error.message }));
      response.on('end', () => {
        finish(classify(response, Buffer.concat(chunks).toString('utf8')));
        // The answer is complete; close our side now rather than wait for the server's FIN.
        request.destroy();
      });
    });
    request.end(opts.body);
  });
}
