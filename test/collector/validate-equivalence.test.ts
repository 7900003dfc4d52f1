import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySchema, schemaChanges, type ApplyOptions, type JsonSchema } from '../../main/anonymize/apply.js';
import { RuleMemo } from '../../main/anonymize/rule-memo.js';
import { RULES, type RuleSpec } from '../../main/anonymize/rules.js';
import { validateWireReport } from '../../main/report/published.js';
import { payloadSchema } from '../../main/report/validate.js';
import { fleet } from './support/fleet.js';

// The collector's check of a report is made cheap (validateWireReport: a walk that
// builds no output, a memo of what each value came to under its rule, the hash rule
// not re-run) and must still give the verdict of the plain check: the whole anonymizer
// run again with a fresh key, and any change but a hash refused. Compared on a fleet's
// reports and on those reports broken in random places, one after another through the
// same memo, so remembered values meet their variants (0 and -0 among them).

const NO_MACHINE = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };
const NOT_REPEATABLE = new Set(
  Object.entries(RULES)
    .filter(([, spec]) => (spec as RuleSpec).idempotent === false)
    .map(([name]) => name),
);

/** The check as first written: validateWireReport's schema step, then the full walk with every repeatable rule. */
function plainVerdict(body: unknown): ReturnType<typeof validateWireReport> {
  const verdict = validateWireReport(body);
  if (!verdict.ok || verdict.version !== 2) return verdict;
  const report = body as Record<string, unknown>;
  const level = typeof report['details_level'] === 'number' ? report['details_level'] : 4;
  const { changes } = applySchema(body, payloadSchema(), {
    level,
    anonymize: true,
    key: randomBytes(32),
    scrub: NO_MACHINE,
    skipRules: NOT_REPEATABLE,
  });
  const changed = changes.find((c) => c.action !== 'hashed');
  return changed
    ? { ok: false, reason: `not anonymized at ${changed.path || '/'}: the anonymizer would have ${changed.action} it` }
    : verdict;
}

const reports = fleet({ reports: 150, version: 2, seed: 81, sources: true }).map((f) => f.payload);

/** Every place in a value, as key paths. */
function places(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (at.length > 0) out.push(at);
  if (typeof value === 'object' && value !== null)
    for (const key of Object.keys(value))
      places((value as Record<string, unknown>)[key], [...at, Array.isArray(value) ? Number(key) : key], out);
  return out;
}

const TRICKY: unknown[] = [
  0,
  -0,
  0.5,
  0.12345,
  -1,
  1_234_567,
  1e21,
  null,
  true,
  '',
  'other',
  'Ubuntu',
  'x64',
  '<fn>',
  'TypeError',
  '0.2.0',
  '6.1.0-18-amd64',
  'h:0123456789abcdef',
  '2026-01-01T00:00:00.000Z',
  '2026-01-01T00:00:30.000Z',
  'bob',
  '/home/bob/project/x.js',
  'failed for Bob Smith at bob@example.com',
  "Cannot read properties of undefined (reading 'bob')",
  '__proto__',
  [],
  {},
];

const mutation = fc.record({
  report: fc.nat(reports.length - 1),
  edits: fc.array(
    fc.record({
      place: fc.nat(),
      value: fc.oneof(fc.constantFrom(...TRICKY), fc.jsonValue()),
      kind: fc.constantFrom('set', 'delete', 'add'),
    }),
    {
      maxLength: 5,
    },
  ),
});

function mutate(input: (typeof reports)[number], edits: { place: number; value: unknown; kind: string }[]): unknown {
  const body = structuredClone(input) as Record<string, unknown>;
  const all = places(body);
  for (const { place, value, kind } of edits) {
    const path = all[place % all.length] ?? [];
    let parent: unknown = body;
    for (const key of path.slice(0, -1))
      parent = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[key] : undefined;
    if (typeof parent !== 'object' || parent === null) continue;
    const last = path[path.length - 1] ?? '';
    const target = parent as Record<string | number, unknown>;
    if (kind === 'delete' && !Array.isArray(parent)) Reflect.deleteProperty(target, last);
    else if (kind === 'add' && !Array.isArray(parent)) target[`extra_${String(last)}`] = value;
    else target[last] = value;
  }
  return body;
}

describe("the collector's anonymization check", () => {
  it('accepts the fleet, and gives the verdict of the plain check on every broken report', () => {
    for (const report of reports) expect(validateWireReport(report)).toEqual({ ok: true, version: 2 });
    let refused = 0;
    fc.assert(
      fc.property(mutation, ({ report, edits }) => {
        const body = mutate(reports[report] as (typeof reports)[number], edits);
        const verdict = validateWireReport(body);
        expect(verdict).toEqual(plainVerdict(body));
        if (!verdict.ok) refused += 1;
      }),
      { numRuns: 1500, seed: 20261129 },
    );
    // The broken reports are mostly refused: the comparison covered refusals, not only passes.
    expect(refused).toBeGreaterThan(500);
  });

  it('finds a template that was never made, after the memo has learnt the real ones', () => {
    const sent = reports.find((r) => JSON.stringify(r).includes('"message"'));
    if (sent === undefined) throw new Error('the fleet has no error messages');
    expect(validateWireReport(sent)).toEqual({ ok: true, version: 2 });
    const forged = JSON.parse(
      JSON.stringify(sent).replace(/"message":"[^"]*"/, '"message":"failed for Bob Smith at bob@example.com"'),
    ) as unknown;
    expect(validateWireReport(forged)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not anonymized at .*\/message: the anonymizer would have templated it/),
    });
  });
});

describe('schemaChanges and RuleMemo', () => {
  const base: ApplyOptions = {
    level: 4,
    anonymize: true,
    key: Buffer.alloc(32, 9),
    scrub: { homeDirs: [], userNames: ['zed'], hostNames: [], appRoot: null },
  };
  const record: JsonSchema = {
    type: 'object',
    properties: { keep: { type: 'string', 'x-rule': 'keep' } },
    additionalProperties: { type: 'array', items: { type: 'number', 'x-rule': 'round' } },
    'x-keys': 'scrub',
  };

  it('report what applySchema reports, with a memo or without, on records whose keys collide after their rule', () => {
    const memo = new RuleMemo();
    const inputs = [
      { keep: 'x', zed: [1, 2.2222, 'bad', 123_456_789], '<user>': [5], other: [-0, 0] },
      { '<user>': [1], zed: [0, -0], keep: 7 },
      { zed: [1, 2], keep: 'x', 'a/b~c': ['x', 1.23456] },
    ];
    for (const input of [...inputs, ...inputs]) {
      const expected = applySchema(input, record, base).changes;
      expect(expected.length).toBeGreaterThan(0);
      expect(schemaChanges(input, record, base)).toEqual(expected);
      expect(schemaChanges(input, record, { ...base, memo })).toEqual(expected);
      expect(applySchema(input, record, { ...base, memo }).changes).toEqual(expected);
    }
  });

  it('stays bounded under a flood of values it has never seen', () => {
    const memo = new RuleMemo();
    const schema: JsonSchema = {
      type: 'object',
      properties: { v: { type: 'string', 'x-rule': 'scrub' }, n: { type: 'number', 'x-rule': 'round' } },
    };
    let largest = 0;
    for (let i = 0; i < 60_000; i++) {
      expect(schemaChanges({ v: `value ${i} of zed`, n: i + 0.123_456 }, schema, { ...base, memo })).toEqual([
        { path: '/v', action: 'scrubbed', raw: `value ${i} of zed` },
        { path: '/n', action: 'rounded', raw: i + 0.123_456 },
      ]);
      largest = Math.max(largest, memo.size);
    }
    expect(largest).toBeLessThanOrEqual(50_000);
    expect(memo.size).toBeGreaterThan(0);
  });

  it('serves one context only: another key, scrub, error context or skip list is refused', () => {
    const memo = new RuleMemo();
    const schema: JsonSchema = { type: 'object', properties: { v: { type: 'string', 'x-rule': 'hash' } } };
    schemaChanges({ v: 'a' }, schema, { ...base, memo });
    expect(() => schemaChanges({ v: 'a' }, schema, { ...base, key: Buffer.alloc(32, 1), memo })).toThrow(/another key/);
    expect(() => schemaChanges({ v: 'a' }, schema, { ...base, scrub: { ...base.scrub }, memo })).toThrow(/another key, scrub/);
    expect(() => schemaChanges({ v: 'a' }, schema, { ...base, skipRules: new Set(['hash']), memo })).toThrow(/skipRules/);
  });
});
