import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { FieldChange } from '../../main/api.js';
import {
  applySchema,
  leavesWithoutRule,
  requiredAboveLevel,
  schemaAtLevel,
  type ApplyOptions,
  type JsonSchema,
} from '../../main/anonymize/apply.js';
import { hashName } from '../../main/anonymize/hash.js';
import { RuleMemo } from '../../main/anonymize/rule-memo.js';
import type { ScrubContext } from '../../main/anonymize/text.js';
import { Payload, payloadJsonSchema } from '../../main/report/payload-schema.js';
import { IDENTIFYING, INJECTED_POINTERS, rawPayload } from './raw-payload.js';

const key = Buffer.alloc(32, 3);
const scrub: ScrubContext = {
  homeDirs: ['/home/bob'],
  userNames: ['bob', 'Bob Smith'],
  hostNames: ['bob-laptop'],
  appRoot: '/home/bob/candor',
};
const schema = payloadJsonSchema();
const LEVELS = [0, 1, 2, 3, 4];

const errors = { template: { denied: ['bob', 'bob-laptop'] }, roots: { appRoots: ['/home/bob/candor'], denied: ['bob'] } };

function opts(level: number, anonymize: boolean): ApplyOptions {
  return { level, anonymize, key, scrub, errors };
}

/** Every leaf of a JSON value by pointer. */
function leaves(value: unknown, at = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${at}/${i}`, out));
  else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(at, value);
    for (const [k, v] of entries) leaves(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
  } else out.set(at, value);
  return out;
}

function at(value: unknown, pointer: string): unknown {
  let cur = value;
  for (const token of pointer.split('/').slice(1)) {
    cur = (cur as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function objects(value: unknown, out = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null) {
    out.add(value);
    for (const v of Object.values(value)) objects(v, out);
  }
  return out;
}

function ajvFor(s: JsonSchema): (v: unknown) => boolean {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, validateFormats: false });
  for (const keyword of ['x-level', 'x-rule', 'x-keys', 'x-categories']) ajv.addKeyword({ keyword });
  const validate = ajv.compile(s);
  return (v) => {
    const ok = validate(v);
    if (!ok) throw new Error(JSON.stringify(validate.errors));
    return ok;
  };
}

describe('the real payload schema', () => {
  it('states a rule on every leaf', () => {
    expect(leavesWithoutRule(schema)).toEqual([]);
  });

  it('requires no field above its level: a payload cut to any level validates against the full schema', () => {
    expect(requiredAboveLevel(schema)).toEqual([]);
  });

  it('would be caught if a leaf lost its rule', () => {
    const broken = structuredClone(schema) as { properties: { app: { properties: { version: Record<string, unknown> } } } };
    delete broken.properties.app.properties.version['x-rule'];
    expect(leavesWithoutRule(broken as unknown as JsonSchema)).toEqual(['/properties/app/properties/version']);
  });
});

describe('applySchema on a full raw payload with the real schema', () => {
  const raw = rawPayload();
  const results = new Map(
    LEVELS.flatMap((level) => [true, false].map((anon) => [`${level}:${anon}`, applySchema(raw, schema, opts(level, anon))] as const)),
  );
  const result = (level: number, anonymize: boolean): { payload: unknown; changes: FieldChange[] } => {
    const found = results.get(`${level}:${anonymize}`);
    if (!found) throw new Error(`no result for level ${level}`);
    return found;
  };
  const gaps = requiredAboveLevel(schema);

  it.each(LEVELS)('level %i: validates against the schema cut to that level', (level) => {
    const validate = ajvFor(schemaAtLevel(schema, level));
    expect(validate(result(level, true).payload)).toBe(true);
    expect(validate(result(level, false).payload)).toBe(true);
  });

  it.each(LEVELS)('level %i: Payload.parse accepts it unless the schema requires a field above the level', (level) => {
    const expectValid = gaps.every((g) => !g.missingAtLevels.includes(level));
    for (const anonymize of [true, false]) {
      expect(Payload.safeParse(result(level, anonymize).payload).success).toBe(expectValid);
    }
  });

  it('levels are supersets: every pointer at level n is present at n+1', () => {
    for (const anonymize of [true, false]) {
      for (const level of [0, 1, 2, 3]) {
        const lower = [...leaves(result(level, anonymize).payload).keys()];
        const higher = leaves(result(level + 1, anonymize).payload);
        for (const pointer of lower) expect(higher.has(pointer), `${pointer} at level ${level + 1}`).toBe(true);
        expect(higher.size).toBeGreaterThan(lower.length);
      }
    }
  });

  it.each([
    [
      0,
      ['/system/cpu/cores', '/system/memory/total_gib', '/system/os/platform', '/report_id'],
      ['/instance', '/system/os/distro', '/system/cpu/brand', '/system/disks', '/performance'],
    ],
    [1, ['/instance/run_mode', '/system/disks/devices/0/size_gb', '/system/cpu/flags/avx'], ['/performance', '/errors']],
    [
      2,
      ['/performance/load/cpu_pct/avg', '/performance/timers/candor_report_build_ms/p99'],
      ['/performance/detail', '/performance/recent_samples', '/errors'],
    ],
    [3, ['/performance/detail/0/name', '/performance/recent_samples/1/mem_used_pct'], ['/errors']],
    [4, ['/errors/captured/0/message', '/errors/captured/0/frames/0/file', '/errors/dropped'], ['/errors/captured/0/stack']],
  ])('level %i includes %j and leaves out %j', (level, present, absent) => {
    const payload = result(level, true).payload;
    for (const p of present) expect(at(payload, p), p).not.toBeUndefined();
    for (const p of absent) expect(at(payload, p), p).toBeUndefined();
  });

  it.each(LEVELS)('level %i anonymized: no identifying string survives', (level) => {
    const text = JSON.stringify(result(level, true).payload).toLowerCase();
    for (const secret of IDENTIFYING) expect(text, secret).not.toContain(secret.toLowerCase());
  });

  it('unknown keys are dropped and reported at every level that includes their parent, anonymized or not', () => {
    // Anonymized, the fields that stay on this machine (rule `local`) are dropped too.
    const local = [
      '/errors/captured/0/fingerprint',
      '/errors/captured/0/stack',
      '/errors/captured/1/fingerprint',
      '/errors/captured/1/stack',
    ];
    for (const anonymize of [true, false]) {
      const { payload, changes } = result(4, anonymize);
      const dropped = changes
        .filter((c) => c.action === 'dropped')
        .map((c) => c.path)
        .sort();
      expect(dropped).toEqual([...INJECTED_POINTERS, ...(anonymize ? local : [])].sort());
      for (const p of INJECTED_POINTERS) expect(at(payload, p)).toBeUndefined();
    }
    expect(
      result(0, true)
        .changes.filter((c) => c.action === 'dropped')
        .map((c) => c.path)
        .sort(),
    ).toEqual(['/hostname', '/system/cpu/serial', '/system/os/hostname']);
  });

  it('reports the raw value of what it dropped', () => {
    const change = result(4, true).changes.find((c) => c.path === '/errors/captured/0/env');
    expect(change).toEqual({
      path: '/errors/captured/0/env',
      action: 'dropped',
      raw: { HOME: '/home/bob', TOKEN: 'eyJhbGciOiJIUzI1NiJ9' },
    });
  });

  it('without anonymize: every kept value is the raw value, and only drops are reported', () => {
    for (const level of LEVELS) {
      const { payload, changes } = result(level, false);
      for (const [pointer, value] of leaves(payload)) expect(value, pointer).toEqual(at(raw, pointer));
      expect(changes.every((c) => c.action === 'dropped')).toBe(true);
    }
  });

  it('with anonymize: reports exactly the fields whose value changed, with the raw value', () => {
    const { payload, changes } = result(4, true);
    const byPath = new Map(changes.map((c) => [c.path, c]));
    const expected: Array<[string, FieldChange['action'], unknown]> = [
      ['/generated_at', 'coarsened', '2026-11-25T14:37:12.345Z'],
      ['/system/memory/total_gib', 'rounded', 15.559_295_654_296_875],
      ['/system/disks/devices/0/size_gb', 'rounded', 512.110_190_592],
      ['/system/disks/devices/1/size_gb', 'rounded', 1000.204_886_016],
      ['/system/cpu/brand', 'scrubbed', 'Intel(R) Core(TM) i7-8550U'],
      ['/system/os/kernel', 'categorized', '6.1.0-18-amd64'],
      ['/system/gpus/reason', 'categorized', raw.system.gpus && 'reason' in raw.system.gpus ? raw.system.gpus.reason : null],
      ['/system/virtualization/hypervisor', 'categorized', ''],
      ['/instance/run_mode', 'categorized', 'secret-cluster-eu'],
      ['/instance/send_interval_s', 'rounded', 86_407],
      ['/performance/timers/candor_report_build_ms/count', 'rounded', 1_234_567],
      ['/performance/timers/candor_report_build_ms/max', 'rounded', 1_999_999.75],
      ['/performance/counters/candor_reports_built', 'rounded', 12_345_678],
      ['/performance/load/disk_read_bps/avg', 'rounded', 1_234_567.8],
      ['/performance/detail/0/hashed_labels/tenant', 'hashed', 'tenant-acme'],
      ['/errors/captured/0/fingerprint', 'dropped', 'TypeError|agent.js:12'],
      ['/errors/captured/0/stack', 'dropped', raw.errors?.captured[0]?.stack],
      ['/errors/captured/0/message', 'templated', raw.errors?.captured[0]?.message],
      ['/errors/captured/0/frames/0/file', 'templated', '/home/bob/candor/main/agent.js'],
      ['/errors/captured/0/first_seen', 'coarsened', '2026-11-25T13:05:59.999Z'],
    ];
    for (const [path, action, rawValue] of expected) expect(byPath.get(path), path).toEqual({ path, action, raw: rawValue });
    // Unchanged values are not reported even though their rule ran.
    for (const path of [
      '/system/cpu/cores',
      '/instance/http_port',
      '/instance/sampling_interval_s',
      '/performance/detail/0/labels/route',
      '/system/os/distro',
      '/system/os/release',
      '/errors/captured/1/first_seen',
      '/errors/captured/0/type',
      '/errors/captured/0/code',
      '/errors/captured/0/frames/0/fn',
      '/errors/captured/0/frames/2/file',
    ]) {
      expect(byPath.has(path), path).toBe(false);
    }
    // Every reported change matches the output.
    for (const change of changes.filter((c) => c.action !== 'dropped')) {
      expect(at(payload, change.path), change.path).not.toEqual(change.raw);
    }
    expect(at(payload, '/instance/run_mode')).toBe('other');
    expect(at(payload, '/performance/detail/0/hashed_labels/tenant')).toBe(hashName(key, 'tenant-acme'));
    expect(at(payload, '/system/memory/total_gib')).toBe(16);
    expect(at(payload, '/system/disks/devices/0/size_gb')).toBe(512);
    expect(at(payload, '/system/disks/devices/1/size_gb')).toBe(1024);
    expect(at(payload, '/system/os/kernel')).toBe('6.1.0');
    expect(at(payload, '/system/cpu/brand')).toBe('Intel Core i7-8550U');
    expect(at(payload, '/system/virtualization/hypervisor')).toBe('none');
    expect(at(payload, '/instance/send_interval_s')).toBe(86_400);
    expect(at(payload, '/performance/timers/candor_report_build_ms/max')).toBe(2_000_000);
    expect(at(payload, '/performance/load/disk_read_bps/avg')).toBe(1_230_000);
    expect(at(payload, '/generated_at')).toBe('2026-11-25T14:37:00.000Z');
    expect(at(payload, '/errors/captured/0/first_seen')).toBe('2026-11-25T13:00:00.000Z');
    expect(at(payload, '/errors/captured/0/stack')).toBeUndefined();
    expect(at(payload, '/errors/captured/0/frames')).toEqual([
      { fn: 'run', file: 'main/agent.js', line: 12, col: 3 },
      { fn: '<anonymous>', file: '<external>', line: 1, col: 1 },
      { fn: 'async processTicksAndRejections', file: 'node:internal/process/task_queues', line: 95, col: 5 },
    ]);
    expect(at(payload, '/errors/captured/0/code')).toBe('ECONNREFUSED');
    expect(at(payload, '/system/gpus/reason')).toBe('failed');
  });

  it('leaves the input unchanged and shares no object with it', () => {
    const input = rawPayload();
    const before = structuredClone(input);
    const out = applySchema(input, schema, opts(4, true));
    const outFalse = applySchema(input, schema, opts(4, false));
    expect(input).toEqual(before);
    const inputObjects = objects(input);
    for (const o of [...objects(out.payload), ...objects(outFalse.payload), ...objects(out.changes.map((c) => c.raw))]) {
      expect(inputObjects.has(o)).toBe(false);
    }
  });

  it('hashes names the same way on every run with the same key, differently with another', () => {
    const again = applySchema(rawPayload(), schema, opts(4, true)).payload;
    expect(again).toEqual(result(4, true).payload);
    const other = applySchema(rawPayload(), schema, { ...opts(4, true), key: Buffer.alloc(32, 9) }).payload;
    const pointer = '/performance/detail/0/hashed_labels/tenant';
    expect(at(other, pointer)).not.toBe(at(again, pointer));
  });
});

describe('requiredAboveLevel and schemaAtLevel', () => {
  it("finds a required property whose level is above its parent's", () => {
    const s: JsonSchema = {
      type: 'object',
      'x-level': 0,
      required: ['a', 'b'],
      properties: {
        a: { type: 'string', 'x-rule': 'keep' },
        b: { type: 'string', 'x-rule': 'keep', 'x-level': 2 },
        c: { type: 'string', 'x-rule': 'keep', 'x-level': 3 },
      },
    };
    expect(requiredAboveLevel(s)).toEqual([{ pointer: '/properties/b', missingAtLevels: [0, 1] }]);
    expect(schemaAtLevel(s, 1)).toMatchObject({ required: ['a'], properties: { a: {} } });
    expect(Object.keys((schemaAtLevel(s, 1) as { properties: object }).properties)).toEqual(['a']);
    expect(Object.keys((schemaAtLevel(s, 3) as { properties: object }).properties)).toEqual(['a', 'b', 'c']);
  });
});

describe('a rule that reads its siblings (frame-fn)', () => {
  const frames: JsonSchema = {
    type: 'array',
    'x-level': 0,
    items: {
      type: 'object',
      properties: { fn: { type: 'string', 'x-rule': 'frame-fn' }, file: { type: 'string', 'x-rule': 'frame-file' } },
    },
  };
  const input = [
    { fn: 'ContosoBilling.run', file: '/home/bob/candor/dist/billing.js' },
    { fn: 'ContosoBilling.run', file: '/opt/contoso/billing.js' },
    { fn: 'ContosoBilling.run', file: '/home/bob/candor/dist/billing.js' },
  ];

  it.each([false, true])('judges each frame by its own file, with a memo: %s', (withMemo) => {
    const memo = withMemo ? new RuleMemo() : undefined;
    const out = applySchema(input, frames, { ...opts(4, true), memo }).payload as { fn: string; file: string }[];
    expect(out.map((f) => [f.fn, f.file])).toEqual([
      ['ContosoBilling.run', 'dist/billing.js'],
      ['<fn>', '<external>'],
      ['ContosoBilling.run', 'dist/billing.js'],
    ]);
  });

  it('a receiver (no app roots) cannot tell whose code a frame is, and keeps the identifier', () => {
    const out = applySchema([{ fn: 'ContosoBilling.run', file: '<external>' }], frames, {
      level: 4,
      anonymize: true,
      key,
      scrub,
      memo: new RuleMemo(),
    }).payload as { fn: string }[];
    expect(out[0]?.fn).toBe('ContosoBilling.run');
  });
});
