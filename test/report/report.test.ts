import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { exportReportFile, suggestedExportName } from '../../main/report/export.js';
import { clampLevel } from '../../main/report/make-report.js';
import { renderPayloadDoc } from '../../main/report/payload-doc.js';
import { Payload, SCHEMA_VERSION } from '../../main/report/payload-schema.js';
import { assertValidPayload, payloadSchema, wireSchema } from '../../main/report/validate.js';
import { APP_ROOT } from '../../main/version.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

let box: Sandbox;
let agent: Agent;

beforeAll(async () => {
  box = sandbox();
  agent = await createAgent({ mode: 'cli', passive: true, dataDir: box.dataDir, cwd: box.cwd, env: {} });
});
afterAll(async () => {
  await agent.close();
  box.cleanup();
});

/** Every JSON pointer to a leaf of the value. */
function pointers(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => pointers(v, `${prefix}/${k}`));
}

describe('details levels', () => {
  it('each level is a superset of the one below, and all validate', async () => {
    let previous: Set<string> | null = null;
    for (const level of [0, 1, 2, 3, 4]) {
      const { payload } = await agent.api.preview({ details_level: level, anonymize: true });
      Payload.parse(payload);
      // Values that change between two builds (time, counters) do not matter here: only which fields exist.
      const current = new Set(pointers(payload).filter((p) => !p.startsWith('/performance') && p !== '/details_level'));
      if (previous) for (const p of previous) expect(current.has(p), `level ${level} lost ${p}`).toBe(true);
      previous = current;
    }
  });

  it('level 0 holds only app and coarse system facts; level 4 adds errors', async () => {
    const zero = (await agent.api.preview({ details_level: 0, anonymize: true })).payload;
    expect(Object.keys(zero).sort()).toEqual([
      'anonymized',
      'app',
      'delivery',
      'details_level',
      'generated_at',
      'id',
      'report_id',
      'schema_version',
      'system',
    ]);
    expect(Object.keys(zero.system).sort()).toEqual(['cpu', 'memory', 'os']);
    const four = (await agent.api.preview({ details_level: 4, anonymize: true })).payload;
    expect(four.errors).toBeDefined();
    expect(four.performance?.detail).toBeDefined();
  });

  it('gives every report a new report_id, while the instance id stays for the whole start', async () => {
    const a = (await agent.api.preview({ details_level: 0, anonymize: true })).payload;
    const b = (await agent.api.preview({ details_level: 0, anonymize: true })).payload;
    expect(a.id).toBe(b.id);
    expect(a.report_id).not.toBe(b.report_id);
    expect(a.report_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('levels above 4 mean 4; negative or fractional levels are errors', () => {
    expect(clampLevel(9)).toBe(4);
    expect(() => clampLevel(-1)).toThrow(/details_level/);
    expect(() => clampLevel(1.5)).toThrow(/details_level/);
  });

  it('the validator rejects a payload with a field outside the allow-list', async () => {
    const { payload } = await agent.api.preview({ details_level: 1, anonymize: true });
    expect(() => assertValidPayload({ ...payload, hostname: 'x' })).toThrow(/additional/);
  });
});

describe('export', () => {
  it('writes pretty JSON atomically with mode 0600, raw exports marked in the field and the name', async () => {
    const raw = (await agent.api.preview({ details_level: 2, anonymize: false })).payload;
    const file = join(box.cwd, suggestedExportName(raw));
    expect(file).toMatch(/-RAW-/);
    const { bytes } = await exportReportFile(file, raw);
    const text = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(text)).toBe(bytes);
    expect(text).toContain(`\n  "schema_version": ${SCHEMA_VERSION}`);
    expect(Payload.parse(JSON.parse(text)).anonymized).toBe(false);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('docs', () => {
  it('docs/payload.md and docs/schema/payload-v<N>.schema.json match the schema (run node scripts/gen-docs.mjs)', () => {
    const schema = payloadSchema();
    expect(readFileSync(join(APP_ROOT, 'docs/payload.md'), 'utf8')).toBe(renderPayloadDoc(schema, SCHEMA_VERSION));
    const published = JSON.parse(readFileSync(join(APP_ROOT, `docs/schema/payload-v${SCHEMA_VERSION}.schema.json`), 'utf8'));
    expect(published).toEqual(wireSchema());
  });

  it('every leaf field in the doc has a rule', () => {
    expect(renderPayloadDoc(payloadSchema(), SCHEMA_VERSION)).not.toContain('MISSING');
  });

  it('every version ever published stays in docs/schema/', () => {
    for (let version = 1; version <= SCHEMA_VERSION; version++) {
      const file = join(APP_ROOT, `docs/schema/payload-v${version}.schema.json`);
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties: { schema_version: { const: number } } };
      expect(schema.properties.schema_version.const).toBe(version);
    }
  });
});
