import { describe, expect, it } from 'vitest';
import type { FieldChange } from '../../main/api.js';
import { applySchema, leavesWithoutRule, type ApplyOptions, type JsonSchema } from '../../main/anonymize/apply.js';
import { hashName } from '../../main/anonymize/hash.js';

// The walker on small hand-written schemas: one row per mechanism.

const key = Buffer.alloc(32, 5);
const base: ApplyOptions = { level: 4, anonymize: true, key, scrub: { homeDirs: [], userNames: ['zed'], hostNames: [], appRoot: null } };
const h = (v: string): string => hashName(key, v);

const str = (rule: string | null, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  ...(rule ? { 'x-rule': rule } : {}),
  ...extra,
});
const obj = (properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
  ...extra,
});

interface Row {
  name: string;
  schema: JsonSchema;
  input: unknown;
  options?: Partial<ApplyOptions>;
  output: unknown;
  changes: FieldChange[];
}

const unavailable = obj({ unavailable: { type: 'boolean', const: true, 'x-rule': 'keep' }, reason: str('scrub') });
const section = { anyOf: [obj({ n: { type: 'integer', 'x-rule': 'round' }, label: str('hash') }), unavailable], 'x-level': 0 };
const tree: JsonSchema = {
  $defs: { Node: obj({ name: str('hash'), kids: { type: 'array', items: { $ref: '#/$defs/Node' } } }) },
  $ref: '#/$defs/Node',
};

const rows: Row[] = [
  {
    name: 'keep leaves unchanged, no change reported',
    schema: obj({ a: str('keep'), b: { type: 'boolean', 'x-rule': 'keep' } }),
    input: { a: 'x', b: true },
    output: { a: 'x', b: true },
    changes: [],
  },
  {
    name: 'hash',
    schema: obj({ a: str('hash') }),
    input: { a: 'prod' },
    output: { a: h('prod') },
    changes: [{ path: '/a', action: 'hashed', raw: 'prod' }],
  },
  {
    name: 'an unknown rule drops the value (fail safe)',
    schema: obj({ u: str('url') }),
    input: { u: 'https://x.example/' },
    output: {},
    changes: [{ path: '/u', action: 'dropped', raw: 'https://x.example/' }],
  },
  {
    name: 'local fields never leave an anonymized payload',
    schema: obj({ a: str('local'), b: str('keep') }),
    input: { a: '/home/bob/raw stack', b: 'x' },
    output: { b: 'x' },
    changes: [{ path: '/a', action: 'dropped', raw: '/home/bob/raw stack' }],
  },
  {
    name: 'category keeps a listed value and turns any other into other',
    schema: obj({
      a: { type: 'string', 'x-rule': 'category', 'x-categories': ['x', 'other'] },
      b: { type: 'string', 'x-rule': 'category', 'x-categories': ['x', 'other'] },
    }),
    input: { a: 'x', b: 'bob' },
    output: { a: 'x', b: 'other' },
    changes: [{ path: '/b', action: 'categorized', raw: 'bob' }],
  },
  {
    name: 'round changes big numbers only',
    schema: obj({
      a: { type: 'integer', 'x-rule': 'round' },
      b: { type: 'number', 'x-rule': 'round' },
      c: { type: 'number', 'x-rule': 'round' },
    }),
    input: { a: 123_456_789, b: 12.5, c: 0.123_456 },
    output: { a: 123_456_000, b: 12.5, c: 0.123 },
    changes: [
      { path: '/a', action: 'rounded', raw: 123_456_789 },
      { path: '/c', action: 'rounded', raw: 0.123_456 },
    ],
  },
  {
    name: 'round on number-or-null keeps null',
    schema: obj({ a: { type: ['number', 'null'], 'x-rule': 'round' } }),
    input: { a: null },
    output: { a: null },
    changes: [],
  },
  {
    name: 'scrub',
    schema: obj({ m: str('scrub') }),
    input: { m: 'zed at 10.0.0.1' },
    output: { m: '<user> at <ip>' },
    changes: [{ path: '/m', action: 'scrubbed', raw: 'zed at 10.0.0.1' }],
  },
  {
    name: 'scrub leaves clean text unreported',
    schema: obj({ m: str('scrub') }),
    input: { m: 'timeout' },
    output: { m: 'timeout' },
    changes: [],
  },
  {
    name: 'time-minute and time-hour',
    schema: obj({ a: str('time-minute'), b: str('time-hour') }),
    input: { a: '2026-01-02T03:04:05Z', b: '2026-01-02T03:00:00.000Z' },
    output: { a: '2026-01-02T03:04:00.000Z', b: '2026-01-02T03:00:00.000Z' },
    changes: [{ path: '/a', action: 'coarsened', raw: '2026-01-02T03:04:05Z' }],
  },
  {
    name: 'an invalid time is dropped, not kept',
    schema: obj({ a: str('time-hour') }),
    input: { a: 'bob-laptop' },
    output: {},
    changes: [{ path: '/a', action: 'dropped', raw: 'bob-laptop' }],
  },
  {
    name: 'undeclared keys are dropped and reported',
    schema: obj({ a: str('keep') }),
    input: { a: 'x', serial: 'S1', nested: { host: 'h' } },
    output: { a: 'x' },
    changes: [
      { path: '/serial', action: 'dropped', raw: 'S1' },
      { path: '/nested', action: 'dropped', raw: { host: 'h' } },
    ],
  },
  {
    name: 'undeclared keys are dropped without anonymize too',
    schema: obj({ a: str('hash') }),
    input: { a: 'x', serial: 'S1' },
    options: { anonymize: false },
    output: { a: 'x' },
    changes: [{ path: '/serial', action: 'dropped', raw: 'S1' }],
  },
  {
    name: 'prototype-ish keys are plain undeclared keys',
    schema: obj({ a: str('keep') }),
    input: JSON.parse('{"a":"x","__proto__":{"polluted":1},"constructor":"c","toString":"t"}'),
    output: { a: 'x' },
    changes: [
      { path: '/__proto__', action: 'dropped', raw: { polluted: 1 } },
      { path: '/constructor', action: 'dropped', raw: 'c' },
      { path: '/toString', action: 'dropped', raw: 't' },
    ],
  },
  {
    name: 'pointer escaping of ~ and /',
    schema: obj({ a: str('keep') }),
    input: { a: 'x', 'a/b~c': 1 },
    output: { a: 'x' },
    changes: [{ path: '/a~1b~0c', action: 'dropped', raw: 1 }],
  },
  {
    name: 'wrong type is dropped even for keep',
    schema: obj({ n: { type: 'integer', 'x-rule': 'keep' } }),
    input: { n: 'bob-laptop' },
    output: {},
    changes: [{ path: '/n', action: 'dropped', raw: 'bob-laptop' }],
  },
  {
    name: 'non-integer for integer is dropped',
    schema: obj({ n: { type: 'integer', 'x-rule': 'round' } }),
    input: { n: 1.5 },
    output: {},
    changes: [{ path: '/n', action: 'dropped', raw: 1.5 }],
  },
  {
    name: 'non-finite numbers are dropped',
    schema: obj({ n: { type: 'number', 'x-rule': 'round' } }),
    input: { n: Infinity },
    output: {},
    changes: [{ path: '/n', action: 'dropped', raw: Infinity }],
  },
  {
    name: 'enum and const are enforced',
    schema: obj({ e: str('keep', { enum: ['main', 'renderer'] }), c: str('keep', { const: 'candor' }) }),
    input: { e: 'alice-pc', c: 'other' },
    output: {},
    changes: [
      { path: '/e', action: 'dropped', raw: 'alice-pc' },
      { path: '/c', action: 'dropped', raw: 'other' },
    ],
  },
  {
    name: 'pattern is enforced',
    schema: obj({ id: str('keep', { pattern: '^[0-9a-f]{4}$' }) }),
    input: { id: 'zed!' },
    output: {},
    changes: [{ path: '/id', action: 'dropped', raw: 'zed!' }],
  },
  {
    name: 'a leaf without a rule is dropped when anonymizing',
    schema: obj({ a: str(null) }),
    input: { a: 'x' },
    output: {},
    changes: [{ path: '/a', action: 'dropped', raw: 'x' }],
  },
  {
    name: 'a leaf without a rule is kept in a raw preview',
    schema: obj({ a: str(null) }),
    input: { a: 'x' },
    options: { anonymize: false },
    output: { a: 'x' },
    changes: [],
  },
  {
    name: 'level filter omits silently',
    schema: obj({ a: str('keep'), b: str('keep', { 'x-level': 2 }) }),
    input: { a: 'x', b: 'y' },
    options: { level: 1 },
    output: { a: 'x' },
    changes: [],
  },
  {
    name: 'level filter includes at the level',
    schema: obj({ b: str('keep', { 'x-level': 2 }) }),
    input: { b: 'y' },
    options: { level: 2 },
    output: { b: 'y' },
    changes: [],
  },
  {
    name: 'records: keys kept, values ruled',
    schema: obj({ r: { type: 'object', additionalProperties: str('hash'), 'x-keys': 'keep' } }),
    input: { r: { k: 'v' } },
    output: { r: { k: h('v') } },
    changes: [{ path: '/r/k', action: 'hashed', raw: 'v' }],
  },
  {
    name: 'records: x-keys hash hashes keys',
    schema: obj({ r: { type: 'object', additionalProperties: { type: 'number', 'x-rule': 'round' }, 'x-keys': 'hash' } }),
    input: { r: { '/home/zed': 1 } },
    output: { r: { [h('/home/zed')]: 1 } },
    changes: [{ path: `/r/${h('/home/zed')}`, action: 'hashed', raw: '/home/zed' }],
  },
  {
    name: 'records: x-keys hash keeps keys in a raw preview',
    schema: obj({ r: { type: 'object', additionalProperties: { type: 'number', 'x-rule': 'keep' }, 'x-keys': 'hash' } }),
    input: { r: { k: 1 } },
    options: { anonymize: false },
    output: { r: { k: 1 } },
    changes: [],
  },
  {
    name: 'records: __proto__ key stays data',
    schema: obj({ r: { type: 'object', additionalProperties: str('keep') } }),
    input: { r: JSON.parse('{"__proto__":"x"}') },
    output: { r: JSON.parse('{"__proto__":"x"}') },
    changes: [],
  },
  {
    name: 'arrays: each item walked; dropped items reported where they would be',
    schema: obj({ xs: { type: 'array', items: { type: 'integer', 'x-rule': 'round' } } }),
    input: { xs: [1, 'bad', 123_456_789] },
    output: { xs: [1, 123_456_000] },
    changes: [
      { path: '/xs/1', action: 'dropped', raw: 'bad' },
      { path: '/xs/1', action: 'rounded', raw: 123_456_789 },
    ],
  },
  {
    name: 'anyOf picks the object branch that fits',
    schema: obj({ s: section }),
    input: { s: { n: 5, label: 'a' } },
    output: { s: { n: 5, label: h('a') } },
    changes: [{ path: '/s/label', action: 'hashed', raw: 'a' }],
  },
  {
    name: 'anyOf picks the unavailable branch',
    schema: obj({ s: section }),
    input: { s: { unavailable: true, reason: 'zed failed' } },
    output: { s: { unavailable: true, reason: '<user> failed' } },
    changes: [{ path: '/s/reason', action: 'scrubbed', raw: 'zed failed' }],
  },
  {
    name: 'anyOf: best branch, extras dropped',
    schema: obj({ s: section }),
    input: { s: { unavailable: true, reason: 'r', stack: 'at zed' } },
    output: { s: { unavailable: true, reason: 'r' } },
    changes: [{ path: '/s/stack', action: 'dropped', raw: 'at zed' }],
  },
  {
    name: 'anyOf: null branch for null',
    schema: obj({ s: { anyOf: [obj({ n: { type: 'number', 'x-rule': 'round' } }), { type: 'null' }] } }),
    input: { s: null },
    output: { s: null },
    changes: [],
  },
  {
    name: 'anyOf: nothing fits, dropped',
    schema: obj({ s: section }),
    input: { s: 'zed' },
    output: {},
    changes: [{ path: '/s', action: 'dropped', raw: 'zed' }],
  },
  {
    name: 'anyOf around leaves passes its rule down',
    schema: obj({ v: { anyOf: [{ type: 'string' }, { type: 'number' }], 'x-rule': 'hash' } }),
    input: { v: 'a' },
    output: { v: h('a') },
    changes: [{ path: '/v', action: 'hashed', raw: 'a' }],
  },
  {
    name: 'oneOf works like anyOf',
    schema: obj({ v: { oneOf: [{ type: 'integer', 'x-rule': 'round' }, str('hash')] } }),
    input: { v: 'a' },
    output: { v: h('a') },
    changes: [{ path: '/v', action: 'hashed', raw: 'a' }],
  },
  {
    name: '$ref to $defs, recursive',
    schema: tree,
    input: { name: 'a', kids: [{ name: 'b', kids: [], pid: 1 }] },
    output: { name: h('a'), kids: [{ name: h('b'), kids: [] }] },
    changes: [
      { path: '/name', action: 'hashed', raw: 'a' },
      { path: '/kids/0/name', action: 'hashed', raw: 'b' },
      { path: '/kids/0/pid', action: 'dropped', raw: 1 },
    ],
  },
  {
    name: '# self reference',
    schema: {
      type: 'object',
      properties: { v: str('hash'), next: { anyOf: [{ $ref: '#' }, { type: 'null' }] } },
      additionalProperties: false,
    },
    input: { v: 'a', next: { v: 'b', next: null } },
    output: { v: h('a'), next: { v: h('b'), next: null } },
    changes: [
      { path: '/v', action: 'hashed', raw: 'a' },
      { path: '/next/v', action: 'hashed', raw: 'b' },
    ],
  },
  {
    name: 'metadata next to $ref wins',
    schema: { $defs: { S: { type: 'string', 'x-rule': 'keep' } }, ...obj({ a: { $ref: '#/$defs/S', 'x-rule': 'hash' } }) },
    input: { a: 'a' },
    output: { a: h('a') },
    changes: [{ path: '/a', action: 'hashed', raw: 'a' }],
  },
  {
    name: 'additionalProperties true still drops (allow-list)',
    schema: { type: 'object', properties: { a: str('keep') }, additionalProperties: true },
    input: { a: 'x', b: 'y' },
    output: { a: 'x' },
    changes: [{ path: '/b', action: 'dropped', raw: 'y' }],
  },
  {
    name: 'unsupported constructs drop, fail safe',
    schema: obj({ a: { allOf: [{ type: 'string' }], 'x-rule': 'keep' } }),
    input: { a: 'x' },
    output: {},
    changes: [{ path: '/a', action: 'dropped', raw: 'x' }],
  },
  {
    name: 'a class instance is not a plain object',
    schema: obj({ o: obj({}) }),
    input: { o: new Date(0) },
    output: {},
    changes: [{ path: '/o', action: 'dropped', raw: new Date(0) }],
  },
  {
    name: 'root of the wrong type',
    schema: obj({ a: str('keep') }),
    input: 'zed',
    output: undefined,
    changes: [{ path: '', action: 'dropped', raw: 'zed' }],
  },
];

describe('applySchema mechanics', () => {
  it.each(rows)('$name', ({ schema, input, options, output, changes }) => {
    const result = applySchema(input, schema, { ...base, ...options });
    expect(result.payload).toEqual(output);
    expect(result.changes).toEqual(changes);
  });

  it('record keys that collide after their rule are dropped, not merged', () => {
    const schema = obj({ r: { type: 'object', additionalProperties: { type: 'number', 'x-rule': 'keep' }, 'x-keys': 'scrub' } });
    const result = applySchema({ r: { zed: 1, '<user>': 2 } }, schema, base);
    expect(result.payload).toEqual({ r: { '<user>': 1 } });
    expect(result.changes).toEqual([
      { path: '/r/<user>', action: 'scrubbed', raw: 'zed' },
      { path: '/r/<user>', action: 'dropped', raw: 2 },
    ]);
  });
});

describe('leavesWithoutRule', () => {
  const rows: Array<[string, JsonSchema, string[]]> = [
    ['all ruled', obj({ a: str('keep'), b: { type: 'array', items: str('hash') } }), []],
    ['a bare leaf', obj({ a: str('keep'), b: str(null) }), ['/properties/b']],
    ['array items', obj({ xs: { type: 'array', items: { type: 'number' } } }), ['/properties/xs/items']],
    ['record values', obj({ r: { type: 'object', additionalProperties: { type: 'number' } } }), ['/properties/r/additionalProperties']],
    ['union branches inherit the union rule', obj({ v: { anyOf: [{ type: 'string' }, { type: 'number' }], 'x-rule': 'hash' } }), []],
    ['union branches without a rule', obj({ v: { anyOf: [{ type: 'string' }, { type: 'null' }] } }), ['/properties/v/anyOf/0']],
    ['null-only branches need none', obj({ v: { anyOf: [obj({ n: { type: 'number', 'x-rule': 'round' } }), { type: 'null' }] } }), []],
    ['through $defs', { $defs: { X: { type: 'string' } }, ...obj({ a: { $ref: '#/$defs/X' } }) }, ['/properties/a']],
    ['unsupported constructs count', obj({ a: { allOf: [{ type: 'string' }], 'x-rule': 'keep' } }), ['/properties/a']],
  ];
  it.each(rows)('%s', (_name, schema, expected) => {
    expect(leavesWithoutRule(schema)).toEqual(expected);
  });

  it('terminates on recursive schemas', () => {
    expect(leavesWithoutRule(tree)).toEqual([]);
  });

  it('names a broken $ref', () => {
    expect(() => leavesWithoutRule(obj({ a: { $ref: '#/$defs/Missing' } }))).toThrow(/\$ref "#\/\$defs\/Missing" points at nothing/);
    expect(() => applySchema({ a: 1 }, obj({ a: { $ref: 'https://x/y.json' } }), base)).toThrow(/not a local reference/);
  });
});
