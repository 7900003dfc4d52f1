import { Ajv2020 } from 'ajv/dist/2020.js';
import { payloadJsonSchema, SCHEMA_VERSION } from './payload-schema.js';
import { wireSchemaOf } from './wire-schema.js';

export const LOCAL_SCHEMA_ID = 'payload';
export const WIRE_SCHEMA_ID = 'payload-wire';

/** An ajv for Candor's schemas: annotations known, formats left to the patterns zod emits. */
export function payloadAjv(options: { source?: boolean } = {}): Ajv2020 {
  // `format` is not checked: zod emits a `pattern` beside each format it uses (uuid,
  // date-time), so the same rule is enforced without loading ajv-formats (~5 MiB RSS).
  const ajv = new Ajv2020({
    allErrors: false,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    validateFormats: false,
    code: { source: options.source === true, esm: true },
  });
  for (const keyword of ['x-level', 'x-rule', 'x-keys', 'x-categories']) ajv.addKeyword({ keyword });
  return ajv;
}

// One ajv configuration, used both at build time (to emit a precompiled validator,
// see scripts/build.mjs) and at run time when no precompiled one is there (tests).
export function compilePayloadValidator(options: { source?: boolean } = {}): { ajv: Ajv2020; schema: Record<string, unknown> } {
  const schema = payloadJsonSchema();
  const ajv = payloadAjv(options);
  ajv.addSchema(schema, LOCAL_SCHEMA_ID);
  ajv.addSchema(wireSchemaOf(schema, SCHEMA_VERSION), WIRE_SCHEMA_ID);
  return { ajv, schema };
}
