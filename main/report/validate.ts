import type { ValidateFunction } from 'ajv';
import { payloadJsonSchema } from './payload-schema.js';

// ajv checks payloads against the same JSON Schema that is published in docs/, so
// what the docs promise is what the code enforces before anything is shown or sent.
// The build emits a precompiled validator (payload-validator.js beside this file):
// compiling the schema costs more than a whole `candor report` should.

interface Compiled {
  validate: ValidateFunction;
}

let cached: Compiled | null = null;
let schemaCache: Record<string, unknown> | null = null;

const precompiled = await import(new URL('./payload-validator.js', import.meta.url).href).then(
  (m: { default: ValidateFunction }) => m.default,
  () => null,
);

async function compileNow(): Promise<ValidateFunction> {
  const { compilePayloadValidator } = await import('./validator-setup.js');
  const { ajv } = compilePayloadValidator();
  const validate = ajv.getSchema('payload');
  if (!validate) throw new Error('payload schema did not compile');
  return validate;
}

// Without a precompiled validator (running from sources), compile once at load.
const fallback = precompiled ? null : await compileNow();

function compiled(): Compiled {
  cached ??= { validate: (precompiled ?? fallback) as ValidateFunction };
  return cached;
}

/** The payload JSON Schema (annotated with x-level / x-rule / x-keys), computed once. */
export function payloadSchema(): Record<string, unknown> {
  schemaCache ??= payloadJsonSchema();
  return schemaCache;
}

export class PayloadInvalidError extends Error {
  override name = 'PayloadInvalidError';
}

/** Throws naming the first offending field. */
export function assertValidPayload(value: unknown): void {
  const { validate } = compiled();
  if (validate(value)) return;
  const first = validate.errors?.[0];
  const where = first?.instancePath || '/';
  throw new PayloadInvalidError(`payload invalid at ${where}: ${first?.message ?? 'unknown error'}`);
}
