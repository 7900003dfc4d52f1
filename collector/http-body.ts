import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, gunzipSync, inflate, inflateSync } from 'node:zlib';

// A request body with both its sizes bounded: the bytes on the wire and, for gzip, the
// bytes after inflating (a 1 MiB gzip bomb would otherwise become gigabytes).

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Below this many compressed bytes, inflating on the event loop costs less than the
 * hand-off to the thread pool (a report is a few KB; a 64 KB body inflates in well
 * under a millisecond). Larger bodies are inflated off the loop.
 */
const INFLATE_INLINE_BYTES = 64 * 1024;

export class BodyError extends Error {
  override name = 'BodyError';
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message);
  }
}

export interface BodyLimits {
  maxBytes: number;
  maxInflatedBytes: number;
}

/** The raw body; refuses one over `maxBytes` (declared or sent) without buffering the rest. */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limits.maxBytes) {
    req.resume();
    return Promise.reject(new BodyError(`body too large: ${declared} bytes (limit ${limits.maxBytes})`, 413));
  }
  // Events rather than `for await`: a report is one or two chunks, and the async
  // iterator costs a promise and a tick per chunk on the collector's busiest path.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        cleanup();
        req.resume();
        reject(new BodyError(`body too large: over ${limits.maxBytes} bytes (limit ${limits.maxBytes})`, 413));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    // The client went away mid-body: nothing is wrong here, and there is no one to answer.
    const onError = (error: Error): void => {
      cleanup();
      reject(
        error instanceof BodyError ? error : new BodyError(`the request was cut off before the end of its body (${error.message})`, 400),
      );
    };
    const onClose = (): void => onError(new BodyError('the request was cut off before the end of its body', 400));
    function cleanup(): void {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** The body as JSON text, inflated per Content-Encoding (gzip, deflate or none). */
export async function decodeJsonBody(req: IncomingMessage, raw: Buffer, limits: BodyLimits): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json') throw new BodyError(`Content-Type must be application/json, got ${type || 'none'}`, 415);
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') {
    if (raw.length > limits.maxInflatedBytes) throw new BodyError(`body too large: ${raw.length} bytes`, 413);
    return raw;
  }
  if (encoding !== 'gzip' && encoding !== 'deflate')
    throw new BodyError(`Content-Encoding ${encoding} is not accepted (gzip, deflate or none)`, 415);
  try {
    const options = { maxOutputLength: limits.maxInflatedBytes };
    if (raw.length <= INFLATE_INLINE_BYTES) return encoding === 'gzip' ? gunzipSync(raw, options) : inflateSync(raw, options);
    return encoding === 'gzip' ? await gunzipAsync(raw, options) : await inflateAsync(raw, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new BodyError(`body too large once inflated: over ${limits.maxInflatedBytes} bytes`, 413);
    throw new BodyError(`body is not valid ${encoding}: ${(error as Error).message}`, 400);
  }
}

export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new BodyError(`body is not valid JSON: ${(error as Error).message}`, 400);
  }
}
