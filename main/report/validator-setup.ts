import { Ajv2020 } from 'ajv/dist/2020.js';
import { payloadJsonSchema } from './payload-schema.js';

// One ajv configuration, used both at build time (to emit a precompiled validator,
// see scripts/build.mjs) and at run time when no precompiled one is there (tests).
export function compilePayloadValidator(options: { source?: boolean } = {}): { ajv: Ajv2020; schema: Record<string, unknown> } {
  const schema = payloadJsonSchema();
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
  ajv.addKeyword({ keyword: 'x-level' }).addKeyword({ keyword: 'x-rule' }).addKeyword({ keyword: 'x-keys' });
  ajv.addSchema(schema, 'payload');
  return { ajv, schema };
}
