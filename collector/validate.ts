import { assertValidPayload, PayloadInvalidError } from '../main/report/validate.js';

// Which reports the collector takes: anonymized ones that pass the published schema of
// the version they name. A thin adapter over the agent's own validator (schema v1)
// until main/report/published.ts exposes validateWireReport for every published
// version; then this file re-exports that and nothing else changes.

export type WireVerdict = { ok: true; version: number } | { ok: false; reason: string };

const KNOWN_VERSIONS = [1];

export function validateWireReport(body: unknown): WireVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'the body is not a JSON object' };
  const record = body as Record<string, unknown>;
  const version = record['schema_version'];
  if (typeof version !== 'number' || !KNOWN_VERSIONS.includes(version)) {
    return {
      ok: false,
      reason: `unknown schema_version ${JSON.stringify(version) ?? 'undefined'} (this collector accepts ${KNOWN_VERSIONS.join(', ')})`,
    };
  }
  if (record['anonymized'] !== true)
    return { ok: false, reason: 'not anonymized: "anonymized" must be true (raw reports are never accepted)' };
  try {
    assertValidPayload(body);
  } catch (error) {
    if (error instanceof PayloadInvalidError) return { ok: false, reason: `not on the allow-list of schema v${version}: ${error.message}` };
    throw error;
  }
  return { ok: true, version };
}
