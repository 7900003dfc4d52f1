import type { ValidateFunction } from 'ajv';
import { payloadJsonSchema, SCHEMA_VERSION } from './payload-schema.js';
import { wireSchemaOf } from './wire-schema.js';

// ajv checks payloads against the same JSON Schemas that are published in docs/, so
// what the docs promise is what the code enforces before anything is shown or sent:
// every payload against the local schema, and an anonymized one also against the wire
// schema a receiver checks. The build emits precompiled validators
// (payload-validator.js beside this file): compiling costs more than a whole
// `candor report` should.

interface Compiled {
  local: ValidateFunction;
  wire: ValidateFunction;
}

let schemaCache: Record<string, unknown> | null = null;
let wireCache: Record<string, unknown> | null = null;

const precompiled = await import(new URL('./payload-validator.js', import.meta.url).href).then(
  (m: { local?: ValidateFunction; wire?: ValidateFunction }) => (m.local && m.wire ? { local: m.local, wire: m.wire } : null),
  () => null,
);

async function compileNow(): Promise<Compiled> {
  // Imported only here: validator-setup loads the whole of ajv (its compiler), which a
  // precompiled validator does not need (~100 modules on every start of the CLI and agent).
  const { compilePayloadValidator, LOCAL_SCHEMA_ID, WIRE_SCHEMA_ID } = await import('./validator-setup.js');
  const { ajv } = compilePayloadValidator();
  const local = ajv.getSchema(LOCAL_SCHEMA_ID);
  const wire = ajv.getSchema(WIRE_SCHEMA_ID);
  if (!local || !wire) throw new Error('payload schemas did not compile');
  return { local, wire };
}

// Without a precompiled validator (running from sources), compile once at load.
const compiled: Compiled = precompiled ?? (await compileNow());

/** The payload JSON Schema as held locally (annotated with x-level / x-rule / x-keys), computed once. */
export function payloadSchema(): Record<string, unknown> {
  schemaCache ??= payloadJsonSchema();
  return schemaCache;
}

/** The schema of what is sent (current version). */
export function wireSchema(): Record<string, unknown> {
  wireCache ??= wireSchemaOf(payloadSchema(), SCHEMA_VERSION);
  return wireCache;
}

export class PayloadInvalidError extends Error {
  override name = 'PayloadInvalidError';
}

function check(validate: ValidateFunction, value: unknown, what: string): void {
  if (validate(value)) return;
  const first = validate.errors?.[0];
  const where = first?.instancePath || '/';
  throw new PayloadInvalidError(`${what} invalid at ${where}: ${first?.message ?? 'unknown error'}`);
}

/** Throws naming the first offending field; an anonymized payload must also fit the wire schema. */
export function assertValidPayload(value: unknown): void {
  check(compiled.local, value, 'payload');
  if ((value as { anonymized?: unknown } | null)?.anonymized === true) check(compiled.wire, value, 'payload as sent');
}
