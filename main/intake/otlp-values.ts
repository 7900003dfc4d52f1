// Reading OTLP values the same way whether they came from the protobuf decoder or from
// OTLP/JSON. Protobuf gives int64/fixed64 as `Long` objects and absent fields as null on
// the prototype; OTLP/JSON gives int64 as decimal strings (or numbers), doubles as
// numbers (or "NaN"/"Infinity"), enums as integers (or their names), absent as undefined.

/** Any object with string keys: a decoded message or a parsed JSON object. */
export type Obj = { readonly [key: string]: unknown };

interface LongLike {
  toNumber(): number;
  toString(): string;
}

function isLong(value: object): value is LongLike {
  return typeof (value as { low?: unknown }).low === 'number' && typeof (value as { toNumber?: unknown }).toNumber === 'function';
}

const INTEGER_TEXT = /^-?\d{1,20}$/;

/** An int64/uint64/fixed64 as a number (beyond 2^53 it is rounded, which no count or time here needs); NaN when it is none. */
export function int64(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : NaN;
  if (typeof value === 'string') {
    // Number() is lenient (spaces, 1e3, 0x1f): harmless, the result must still be an integer.
    const n = value.length === 0 || value.length > 24 ? NaN : Number(value);
    return Number.isInteger(n) ? n : NaN;
  }
  if (typeof value === 'object' && value !== null && isLong(value)) return value.toNumber();
  return NaN;
}

/** A double; proto3 JSON spells the special values as strings. NaN when absent or not a number. */
export function double(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return NaN;
}

/** An enum given as its number or (proto3 JSON allows it) its name; NaN otherwise. */
export function enumNumber(value: unknown, names: Readonly<Record<string, number>>): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : NaN;
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') return Object.hasOwn(names, value) ? (names[value] as number) : NaN;
  return NaN;
}

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An array field: absent is empty; anything else that is not an array is null (malformed). */
export function list(value: unknown): readonly unknown[] | null {
  if (value === undefined || value === null) return EMPTY;
  return Array.isArray(value) ? value : null;
}
const EMPTY: readonly unknown[] = Object.freeze([]);

/** A string field: absent is ''; null when it is present but not a string. */
export function text(value: unknown): string | null {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : null;
}

function integerText(value: unknown): string | null {
  if (typeof value === 'string') return INTEGER_TEXT.test(value) ? value : null;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : null;
  if (typeof value === 'object' && value !== null && isLong(value)) return value.toString();
  return null;
}

/**
 * The text of a scalar AnyValue (string, bool, int, double), or null for anything else:
 * arrays, key-value lists and bytes are never read (nothing is looked into, however
 * deeply it nests), and an empty AnyValue has no text.
 */
export function scalarText(value: unknown): string | null {
  if (!isObj(value)) return null;
  const s = value['stringValue'];
  if (s !== undefined && s !== null) return typeof s === 'string' ? s : null;
  const b = value['boolValue'];
  if (b !== undefined && b !== null) return typeof b === 'boolean' ? (b ? 'true' : 'false') : null;
  const i = value['intValue'];
  if (i !== undefined && i !== null) return integerText(i);
  const d = value['doubleValue'];
  if (d !== undefined && d !== null) {
    const n = double(d);
    return Number.isNaN(n) && d !== 'NaN' ? null : String(n);
  }
  return null;
}

/** A string AnyValue's text, or null (an error's message and stack are only ever taken from strings). */
export function stringOf(value: unknown): string | null {
  if (!isObj(value)) return null;
  const s = value['stringValue'];
  return typeof s === 'string' ? s : null;
}
