import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { schemaChanges, type ApplyOptions } from '../anonymize/apply.js';
import { RuleMemo } from '../anonymize/rule-memo.js';
import { RULES, type RuleSpec } from '../anonymize/rules.js';
import { isRecord } from '../anonymize/schema-nodes.js';
import { APP_ROOT } from '../version.js';
import { SCHEMA_VERSION } from './payload-schema.js';
import { payloadSchema, wireSchema } from './validate.js';
import { payloadAjv } from './validator-setup.js';

// Every payload version the project has published, for a receiver (the collector):
// a report is checked against the wire schema of the version it names, and a current
// one must also come out of the anonymizer unchanged, which is how a receiver tells
// that a well-formed report was really anonymized (a hash aside, every rule's output
// is its own fixed point: a template of a template, a bucket of a bucket).

export const PUBLISHED_VERSIONS: readonly number[] = Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1);

export type WireCheck = { ok: true; version: number } | { ok: false; reason: string };

/** A frozen published schema (docs/schema/payload-vN.schema.json); the current one is derived from the code. */
export function publishedSchema(version: number): Record<string, unknown> {
  if (version === SCHEMA_VERSION) return wireSchema();
  return JSON.parse(readFileSync(join(APP_ROOT, 'docs', 'schema', `payload-v${version}.schema.json`), 'utf8')) as Record<string, unknown>;
}

const validators = new Map<number, ValidateFunction>();

function validatorFor(version: number): ValidateFunction {
  let validate = validators.get(version);
  if (validate === undefined) {
    validate = payloadAjv().compile(publishedSchema(version));
    validators.set(version, validate);
  }
  return validate;
}

/** Checks one received report (parsed JSON) against every rule a receiver can check. */
export function validateWireReport(body: unknown): WireCheck {
  if (!isRecord(body)) return { ok: false, reason: 'the report is not a JSON object' };
  const version = body['schema_version'];
  if (typeof version !== 'number' || !PUBLISHED_VERSIONS.includes(version)) {
    return { ok: false, reason: `unknown schema_version ${JSON.stringify(version)} (published: ${PUBLISHED_VERSIONS.join(', ')})` };
  }
  if (body['anonymized'] !== true) return { ok: false, reason: 'the report is not anonymized (anonymized is not true)' };
  const validate = validatorFor(version);
  if (!validate(body)) {
    const first = validate.errors?.[0];
    const where = first?.instancePath || '/';
    const extra =
      first?.keyword === 'additionalProperties'
        ? ` (${String((first.params as { additionalProperty?: unknown }).additionalProperty)})`
        : '';
    return { ok: false, reason: `does not match payload v${version} at ${where}: ${first?.message ?? 'invalid'}${extra}` };
  }
  if (version === SCHEMA_VERSION) {
    const level = typeof body['details_level'] === 'number' ? body['details_level'] : 4;
    const changes = schemaChanges(body, payloadSchema(), { ...RECHECK, level });
    const changed = changes.find((c) => c.action !== 'hashed');
    if (changed) return { ok: false, reason: `not anonymized at ${changed.path || '/'}: the anonymizer would have ${changed.action} it` };
  }
  return { ok: true, version };
}

/** A receiver knows nothing of the sender's machine: only the rules themselves apply. */
const NO_MACHINE = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };

/**
 * Rules not re-run by a receiver. Those whose output only the sender can reproduce (the
 * wire schema's pattern checks those fields), and `hash`: a hash made with the receiver's
 * key always differs from the sender's, so its change ('hashed') proves nothing and is
 * ignored; running it only cost an HMAC per field. A hashed field still has to be a
 * string of its wire pattern (ajv, above).
 */
const RECHECK_SKIPS: ReadonlySet<string> = new Set([
  'hash',
  ...Object.entries(RULES)
    .filter(([, spec]) => (spec as RuleSpec).idempotent === false)
    .map(([name]) => name),
]);

/**
 * The re-check's context is the same for every report, so what each string came to
 * under its rule is remembered (a fleet's reports repeat the same templates, versions,
 * categories and names): bounded, and a pure function's result, so the verdict is the
 * same as without it (test/collector/validate-memo.test.ts).
 */
const RECHECK: Omit<ApplyOptions, 'level'> = {
  anonymize: true,
  key: randomBytes(32),
  scrub: NO_MACHINE,
  skipRules: RECHECK_SKIPS,
  memo: new RuleMemo(),
};
