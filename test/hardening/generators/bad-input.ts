import fc from 'fast-check';
import type { CallName } from '../../../main/api.js';

// Malformed arguments for every call of the contract (main/api.ts), each paired with
// the name the error must give: the field that is wrong, or `input` for the shape as a
// whole. The oracle is this table, written from the contract's documentation, not the
// zod schemas themselves, so a schema that drifted from the contract is caught.

export interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  isValid: (value: unknown) => boolean;
  optional?: boolean;
}

const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isLevel = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000;
const DURATIONS = ['30m', '1h', '24h', 'until-restart'];

const bool: FieldSpec = { valid: fc.boolean(), isValid: isBool };
const level: FieldSpec = { valid: fc.integer({ min: 0, max: 1_000_000 }), isValid: isLevel };
const text = (max: number, optional = false): FieldSpec => ({
  valid: fc.string({ maxLength: 40 }),
  isValid: (v) => typeof v === 'string' && v.length <= max,
  optional,
});

/** Every call's fields; an empty object means the call takes `{}` only. */
export const FIELDS: Record<CallName, Record<string, FieldSpec>> = {
  preview: { details_level: level, anonymize: bool },
  status: {},
  samples: {},
  setConsent: { granted: bool },
  pause: { duration: { valid: fc.constantFrom(...DURATIONS), isValid: (v) => typeof v === 'string' && DURATIONS.includes(v) } },
  resume: {},
  disable: {},
  enable: {},
  exportReport: { details_level: level, anonymize: bool },
  history: {},
  historyBody: {
    sha256: { valid: fc.stringMatching(/^[0-9a-f]{64}$/), isValid: (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) },
  },
  clearHistory: {},
  instanceIds: {},
  requestDeletion: { send: bool },
  sources: {},
  answerSource: {
    name: { valid: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), isValid: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 128 },
    answer: {
      valid: fc.constantFrom('allowed', 'denied'),
      isValid: (v) => v === 'allowed' || v === 'denied',
    },
  },
  reportError: { type: text(200), message: text(10_000), stack: text(50_000, true) },
};

/** An object nested `depth` levels deep: {a:{a:{...}}}. */
export function deepObject(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A value that is wrong in type or range for most fields. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -1, -0.5, 1.5, 1_000_001, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, 1e308),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('true', 'false', '1', '0', '', ' ', '__proto__', '[object Object]', 'null'),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
  fc.integer({ min: 20, max: 2000 }).map((d) => deepObject(d)),
  fc.integer({ min: 201, max: 60_000 }).map((n) => 'x'.repeat(n)),
);

/** Keys the contract does not know, prototype-pollution names first among them. */
export const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'polluted',
    'details-level',
    'Anonymize',
    '',
  ),
  fc.string({ minLength: 1, maxLength: 20 }),
);

/** Sets a key as own data (a literal `__proto__` would switch the prototype instead). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface BadInput {
  name: CallName;
  input: unknown;
  /** What the error must name: a field, or `input`. */
  names: string;
  how: string;
}

const validInput = (name: CallName): fc.Arbitrary<Record<string, unknown>> => {
  const fields = FIELDS[name];
  const entries = Object.entries(fields).map(([key, spec]) => spec.valid.map((v) => [key, v] as const));
  return fc.tuple(...entries).map((pairs) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of pairs) setOwn(out, key, value);
    return out;
  });
};

const callName = fc.constantFrom(...(Object.keys(FIELDS) as CallName[]));

export const badInput: fc.Arbitrary<BadInput> = callName.chain((name) => {
  const fields = Object.keys(FIELDS[name]);
  const required = fields.filter((f) => FIELDS[name][f]?.optional !== true);
  const options: fc.Arbitrary<BadInput>[] = [
    // An unknown key beside valid fields.
    fc
      .tuple(
        validInput(name),
        unknownKey.filter((k) => !fields.includes(k)),
        wrongValue,
      )
      .map(([input, key, value]) => {
        setOwn(input, key, value);
        return { name, input, names: 'input', how: `unknown key ${JSON.stringify(key)}` };
      }),
    // Not an object at all (null and undefined mean {} to the contract, so not here).
    fc
      .oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(NaN))
      .map((input) => ({
        name,
        input,
        names: 'input',
        how: `non-object ${Array.isArray(input) ? 'array' : typeof input}`,
      })),
  ];
  if (fields.length > 0) {
    options.push(
      fc
        .tuple(validInput(name), fc.constantFrom(...fields), wrongValue)
        .filter(([, field, value]) => !(FIELDS[name][field]?.isValid(value) ?? true))
        .map(([input, field, value]) => {
          setOwn(input, field, value);
          return { name, input, names: field, how: `wrong ${field}` };
        }),
    );
  }
  if (required.length > 0) {
    options.push(
      fc.tuple(validInput(name), fc.constantFrom(...required)).map(([input, field]) => ({
        name,
        input: Object.fromEntries(Object.entries(input).filter(([key]) => key !== field)),
        names: field,
        how: `missing ${field}`,
      })),
    );
  }
  return fc.oneof(...options);
});

export const goodInput: fc.Arbitrary<{ name: CallName; input: Record<string, unknown> }> = callName.chain((name) =>
  validInput(name).map((input) => ({ name, input })),
);

/** What an error message must contain for `bad`: `<call>: <field>:`. */
export function expectedPrefix(bad: BadInput): string {
  return `${bad.name}: ${bad.names}:`;
}

// ---- query strings (the GET routes) ------------------------------------------------

export interface BadQuery {
  name: CallName;
  path: string;
  query: string;
  /** The message must start with `<call>: <names>:`, or, when `mentions` is set, contain it. */
  names: string;
  mentions?: string;
  how: string;
}

const GET_ROUTES: Partial<Record<CallName, string>> = {
  preview: '/preview',
  status: '/status',
  samples: '/samples',
  history: '/history',
  historyBody: '/history/body',
  instanceIds: '/ids',
};

const VALID_QUERY: Partial<Record<CallName, Record<string, fc.Arbitrary<string>>>> = {
  preview: { details_level: fc.integer({ min: 0, max: 1_000_000 }).map(String), anonymize: fc.constantFrom('true', 'false') },
  historyBody: { sha256: fc.stringMatching(/^[0-9a-f]{64}$/) },
};

/** parseQuery turns numeric text into a number: "-0", "007" and "3.0" are valid levels. */
function notALevel(text: string): boolean {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return true;
  const n = Number(text);
  return !(Number.isInteger(n) && n >= 0 && n <= 1_000_000);
}

const BAD_QUERY_VALUE: Record<string, fc.Arbitrary<string>> = {
  details_level: fc.oneof(
    fc.constantFrom('abc', '-1', '1.5', 'NaN', 'Infinity', '1e3', '0x10', '99999999999', '', 'true', ' 1', '１'),
    fc.string({ maxLength: 12 }).filter(notALevel),
  ),
  anonymize: fc.oneof(
    fc.constantFrom('yes', '1', '0', 'TRUE', 'False', '', 'null'),
    fc.string({ maxLength: 8 }).filter((s) => s !== 'true' && s !== 'false'),
  ),
  sha256: fc.oneof(
    fc.stringMatching(/^[0-9A-F]{64}$/).filter((s) => /[A-F]/.test(s)),
    fc.stringMatching(/^[0-9a-f]{63}$/),
    fc.string({ maxLength: 70 }),
    fc.constant('../../etc/passwd'),
  ),
};

const q = (pairs: [string, string][]): string => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

const validPairs = (name: CallName): fc.Arbitrary<[string, string][]> => {
  const fields = Object.entries(VALID_QUERY[name] ?? {});
  return fc.tuple(...fields.map(([k, arb]) => arb.map((v) => [k, v] as [string, string])));
};

export const badQuery: fc.Arbitrary<BadQuery> = fc.constantFrom(...(Object.keys(GET_ROUTES) as CallName[])).chain((name) => {
  const path = GET_ROUTES[name] ?? '/';
  const fields = Object.keys(VALID_QUERY[name] ?? {});
  const options: fc.Arbitrary<BadQuery>[] = [
    fc
      .tuple(
        validPairs(name),
        unknownKey.filter((k) => k !== '' && !fields.includes(k)),
        fc.string({ maxLength: 10 }),
      )
      .map(([pairs, key, value]) => ({
        name,
        path,
        query: q([...pairs, [key, value]]),
        names: 'input',
        how: `unknown ${JSON.stringify(key)}`,
      })),
    fc
      .tuple(validPairs(name), fc.integer({ min: 200, max: 6000 }))
      .map(([pairs, n]) => ({ name, path, query: q([...pairs, ['x'.repeat(n), '1']]), names: 'input', how: 'long key' })),
  ];
  if (fields.length > 0) {
    options.push(
      fc.tuple(validPairs(name), fc.constantFrom(...fields)).chain(([pairs, field]) =>
        (BAD_QUERY_VALUE[field] ?? fc.constant('')).map((bad) => ({
          name,
          path,
          query: q(pairs.map(([k, v]) => [k, k === field ? bad : v])),
          names: field,
          how: `wrong ${field}`,
        })),
      ),
      fc.tuple(validPairs(name), fc.constantFrom(...fields)).map(([pairs, field]) => ({
        name,
        path,
        query: q(pairs.filter(([k]) => k !== field)),
        names: field,
        how: `missing ${field}`,
      })),
      fc.tuple(validPairs(name), fc.constantFrom(...fields)).map(([pairs, field]) => ({
        name,
        path,
        query: q([...pairs, [field, pairs.find(([k]) => k === field)?.[1] ?? '']]),
        names: field,
        mentions: field,
        how: `repeated ${field}`,
      })),
    );
  }
  return fc.oneof(...options);
});

export { GET_ROUTES };
