import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { applySchema } from '../../main/anonymize/apply.js';
import { RULES } from '../../main/anonymize/rules.js';
import { payloadSchema, wireSchema } from '../../main/report/validate.js';
import { payloadAjv } from '../../main/report/validator-setup.js';
import { validateWireReport } from '../../main/report/published.js';
import { rawPayload } from '../anonymize/raw-payload.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// What a receiver checks of a report (the collector calls validateWireReport): the
// published schema of its version, and, for the current version, that the anonymizer
// would change nothing, which holds only if every rule's output is its own fixed point.

const NO_MACHINE = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };

describe('validateWireReport', () => {
  let box: Sandbox;
  let agent: Agent;
  beforeAll(async () => {
    box = sandbox();
    // Passive: no load sample yet, so the load section is unavailable ("no-data"), as in a report sent right after start.
    agent = await createAgent({ mode: 'cli', passive: true, dataDir: box.dataDir, cwd: box.cwd, env: {} });
    await agent.api.reportError({ type: 'TypeError', message: "Cannot read properties of undefined (reading 'bob')", stack: '' });
  });
  afterAll(async () => {
    await agent.close();
    box.cleanup();
  });

  it.each([0, 1, 2, 3, 4])('accepts what the agent sends at level %i', async (level) => {
    const { payload } = await agent.api.preview({ details_level: level, anonymize: true });
    expect(validateWireReport(payload)).toEqual({ ok: true, version: 2 });
  });

  it('accepts an unavailable load section, whatever kind of failure it names', async () => {
    const { payload } = await agent.api.preview({ details_level: 2, anonymize: true });
    expect(payload.performance?.load).toEqual({ unavailable: true, reason: 'no-data' });
    for (const reason of ['timeout', 'malformed', 'failed']) {
      const report = structuredClone(payload) as { performance: { load: unknown } };
      report.performance.load = { unavailable: true, reason };
      expect(validateWireReport(report)).toEqual({ ok: true, version: 2 });
    }
  });

  it('refuses a raw report, a field off the allow-list, an unknown version, and text that was never templated', async () => {
    const raw = (await agent.api.preview({ details_level: 4, anonymize: false })).payload;
    expect(validateWireReport(raw)).toEqual({ ok: false, reason: 'the report is not anonymized (anonymized is not true)' });
    const sent = (await agent.api.preview({ details_level: 4, anonymize: true })).payload;
    expect(validateWireReport({ ...sent, hostname: 'bob-laptop' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('hostname'),
    });
    expect(validateWireReport({ ...sent, schema_version: 9 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^unknown schema_version 9/),
    });
    const forged = structuredClone(sent);
    const error = forged.errors?.captured[0];
    if (error) error.message = 'failed for Bob Smith at bob@example.com';
    expect(validateWireReport(forged)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^not anonymized at \/errors\/captured\/0\/message/),
    });
  });

  it("the published schema keeps a field's own pattern beside its rule's (generated_at: a date-time, on the minute)", async () => {
    const sent = (await agent.api.preview({ details_level: 0, anonymize: true })).payload;
    const validate = payloadAjv().compile(wireSchema());
    expect(validate(sent)).toBe(true);
    for (const bad of ['not a dateT12:34:00Z', '2026-13-45T12:34:00Z', '2026-11-29T12:34:56Z']) {
      expect(validate({ ...sent, generated_at: bad }), bad).toBe(false);
      expect(validate.errors?.[0]?.instancePath).toBe('/generated_at');
    }
  });

  it('every rule is its own fixed point: anonymizing an anonymized payload changes nothing but hashes', () => {
    const schema = payloadSchema();
    const once = applySchema(rawPayload(), schema, { level: 4, anonymize: true, key: Buffer.alloc(32, 1), scrub: NO_MACHINE });
    const twice = applySchema(once.payload, schema, {
      level: 4,
      anonymize: true,
      key: Buffer.alloc(32, 2),
      scrub: NO_MACHINE,
      skipRules: new Set(['frame-file']),
    });
    expect(twice.changes.filter((c) => c.action !== 'hashed')).toEqual([]);
  });

  it('every category rule keeps the values of its own list', () => {
    const schema = JSON.stringify(payloadSchema());
    let fields = 0;
    for (const match of schema.matchAll(/"x-rule":"([a-z-]+)","x-categories":(\[[^\]]*\])/g)) {
      const rule = RULES[match[1] as keyof typeof RULES];
      const categories = JSON.parse(match[2] as string) as string[];
      fields += 1;
      for (const value of categories)
        expect(
          rule.apply(value, { key: Buffer.alloc(32), scrub: NO_MACHINE, errors: { template: {}, roots: { appRoots: [] } }, categories }),
          `${match[1]}: ${value}`,
        ).toBe(value);
    }
    expect(fields).toBeGreaterThanOrEqual(10);
  });
});
