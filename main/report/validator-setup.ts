import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { payloadJsonSchema } from './payload-schema.js';

// One ajv configuration, used both at build time (to emit a precompiled validator,
// see scripts/build.mjs) and at run time when no precompiled one is there (tests).
export function compilePayloadValidator(options: { source?: boolean } = {}): { ajv: Ajv2020; schema: Record<string, unknown> } {
  const schema = payloadJsonSchema();
  const ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false, strictTuples: false, code: { source: options.source === true, esm: true } });
  ajv.addKeyword({ keyword: 'x-level' }).addKeyword({ keyword: 'x-rule' }).addKeyword({ keyword: 'x-keys' });
  addFormats.default(ajv);
  ajv.addSchema(schema, 'payload');
  return { ajv, schema };
}
