import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { payloadJsonSchema } from './payload-schema.js';

// ajv checks payloads against the same JSON Schema that is published in docs/, so
// what the docs promise is what the code enforces before anything is sent.

let cached: { schema: Record<string, unknown>; validate: ValidateFunction } | null = null;

function compiled(): { schema: Record<string, unknown>; validate: ValidateFunction } {
  if (cached) return cached;
  const schema = payloadJsonSchema();
  const ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false, strictTuples: false });
  ajv.addKeyword({ keyword: 'x-level' }).addKeyword({ keyword: 'x-rule' }).addKeyword({ keyword: 'x-keys' });
  addFormats.default(ajv);
  cached = { schema, validate: ajv.compile(schema) };
  return cached;
}

/** The payload JSON Schema (annotated with x-level / x-rule / x-keys), computed once. */
export function payloadSchema(): Record<string, unknown> {
  return compiled().schema;
}

export class PayloadInvalidError extends Error {
  override name = 'PayloadInvalidError';
}

/** Throws naming the first offending field; returns the value typed when it conforms. */
export function assertValidPayload(value: unknown): void {
  const { validate } = compiled();
  if (validate(value)) return;
  const first = validate.errors?.[0];
  const where = first?.instancePath || '/';
  throw new PayloadInvalidError(`payload invalid at ${where}: ${first?.message ?? 'unknown error'}`);
}
