import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';

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

type Kind = 'number' | 'boolean' | 'string';

/** What a contract field expects, looking through transforms and optionals. */
function kindOf(field: z.ZodType | undefined): Kind {
  // zod 4 keeps the definition on `_zod.def`; pipes carry the input schema in `in`.
  let def = field?._zod.def as { type: string; in?: z.ZodType; innerType?: z.ZodType } | undefined;
  while (def && (def.type === 'pipe' || def.type === 'optional' || def.type === 'default')) {
    def = (def.in ?? def.innerType)?._zod.def as typeof def;
  }
  return def?.type === 'number' ? 'number' : def?.type === 'boolean' ? 'boolean' : 'string';
}

/**
 * Query parameters of a derived GET route as a call input, typed by what the call's
 * schema expects (so a digit-only hash stays a string). A value that does not fit is
 * passed on as text for the schema to reject with the field's name.
 */
export function parseQuery(query: URLSearchParams, schema: z.ZodObject): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    if (values.length > 1) throw new QueryError(`query parameter ${key} is given ${values.length} times`);
    const raw = values[0] ?? '';
    const kind = kindOf(Object.hasOwn(schema.shape, key) ? (schema.shape[key] as z.ZodType) : undefined);
    let value: unknown = raw;
    if (kind === 'number' && /^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    else if (kind === 'boolean' && (raw === 'true' || raw === 'false')) value = raw === 'true';
    Object.defineProperty(input, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return input;
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
