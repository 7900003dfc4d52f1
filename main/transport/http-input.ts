import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;

export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    message: string,
    readonly status: 400 | 413 | 415 = 400,
  ) {
    super(message);
  }
}

/**
 * Query parameters of a derived GET route as a call input: numbers and booleans are
 * typed so the contract schema (not this function) decides what is valid.
 */
export function parseQuery(query: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    if (values.length > 1) throw new QueryError(`query parameter ${key} is given ${values.length} times`);
    const raw = values[0] ?? '';
    if (raw === 'true' || raw === 'false') input[key] = raw === 'true';
    else if (/^-?\d+(\.\d+)?$/.test(raw)) input[key] = Number(raw);
    else input[key] = raw;
  }
  return { ...input };
}

/** A JSON body of at most 1 MiB; an empty body is `{}`. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    // Discard (never buffer) the rest so the client can read the 413 instead of a reset.
    req.resume();
    throw new QueryError(`body too large: ${declared} bytes (limit ${MAX_BODY_BYTES})`, 413);
  }
  if (req.headers['content-encoding'] && req.headers['content-encoding'] !== 'identity') {
    throw new QueryError(`Content-Encoding ${req.headers['content-encoding']} is not accepted`, 415);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw new QueryError(`body too large: over ${MAX_BODY_BYTES} bytes`, 413);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  if (type !== 'application/json') throw new QueryError(`Content-Type must be application/json, got ${type || 'none'}`, 415);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw new QueryError(`body is not valid JSON: ${(error as Error).message}`);
  }
}
