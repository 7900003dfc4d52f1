import type { ChangeAction, FieldChange } from '../api.js';
import { DROP as RULE_DROP, NO_ERROR_CONTEXT, ruleSpec, type ErrorContext, type RuleSpec } from './rules.js';
import type { RuleMemo } from './rule-memo.js';
import {
  allowsNull,
  branchesOf,
  isRecord,
  kindOf,
  levelOf,
  pointerToken,
  propertiesOf,
  recordValuesOf,
  resolveNode,
  ruleOf,
  types,
  type JsonSchema,
  type NodeKind,
} from './schema-nodes.js';
import type { ScrubContext } from './text.js';

export type { JsonSchema } from './schema-nodes.js';
export { leavesWithoutRule, requiredAboveLevel, schemaAtLevel } from './schema-checks.js';

// The schema walker: the payload schema is the allow-list, and this is where it is
// enforced. Value and schema are walked together:
//  - a field whose x-level is above options.level is left out (not a change);
//  - an object key the schema does not declare is dropped and reported, always;
//  - a value of the wrong type, or outside its const/enum/pattern, is dropped and
//    reported: a field declared `keep` must not become a way to smuggle a host name;
//  - with anonymize on, each leaf's x-rule is applied, and a change is reported only
//    when the value actually changed. A leaf without a rule is dropped (fail safe).
// Pointers in changes are RFC 6901 pointers into the output; a dropped value is
// reported at the place it would have taken.
// The output is built fresh: it shares no object with the input, and `raw` values in
// changes are copies.

export interface ApplyOptions {
  level: number;
  anonymize: boolean;
  key: Buffer;
  scrub: ScrubContext;
  /** Error rules' context (declared words, this machine's names, app roots); none by default. */
  errors?: ErrorContext;
  /** Rules not run: their fields pass as they are (a receiver's re-check of rules it cannot repeat). */
  skipRules?: ReadonlySet<string>;
  /**
   * Remembers what each leaf value came to under its rule, for callers that walk many
   * payloads under one context (the collector's fixed-point check: a fleet's reports
   * repeat the same templates, versions, names and rounded numbers). Bound to the first
   * options it is used with.
   */
  memo?: RuleMemo;
}

export interface ApplyResult {
  payload: unknown;
  changes: FieldChange[];
}

/** Left out by the level filter: silently absent. */
const OMIT = Symbol('omit');
/** Not allowed by the schema: absent and reported. */
const DROP = Symbol('drop');
/** A container kept by a walk that builds no output (schemaChanges). */
const KEPT = Symbol('kept');
type Outcome = unknown;

// ---- what a schema node says, read once --------------------------------------------
// The schema is data the walk reads at every field of every payload; what each node
// says (its kind, level, rule, type set, enum, pattern, categories) is read from it once
// and kept beside it. Schemas are never changed once built (resolveNode and kindOf
// already rely on that).

const T_NULL = 1;
const T_BOOLEAN = 2;
const T_INTEGER = 4;
const T_NUMBER = 8;
const T_STRING = 16;
const T_ARRAY = 32;
const T_OBJECT = 64;
const T_ANY = T_NULL | T_BOOLEAN | T_INTEGER | T_NUMBER | T_STRING | T_ARRAY | T_OBJECT;
const TYPE_BITS: Record<string, number> = {
  null: T_NULL,
  boolean: T_BOOLEAN,
  integer: T_INTEGER,
  number: T_NUMBER,
  string: T_STRING,
  array: T_ARRAY,
  object: T_OBJECT,
};

interface NodeInfo {
  /** A number for this node, for the memo's table. */
  id: number;
  level: number | null;
  rule: string | null;
  kind: NodeKind;
  /** Allowed JSON types as bits (`number` also admits integers). */
  typeBits: number;
  hasConst: boolean;
  constValue: unknown;
  choices: unknown[] | null;
  minimum: number | null;
  maximum: number | null;
  pattern: RegExp | null;
  categories: readonly string[] | null;
  /** The node's own rule, looked up once. */
  spec: RuleSpec | null;
  allowsNull: boolean;
  /** Objects: declared properties, record values, key rule and key pattern. */
  properties: Record<string, unknown>;
  recordValues: JsonSchema | null;
  keyRule: string;
  propertyNames: JsonSchema | null;
  /** Union branches (unresolved), and for an object branch what misfit() reads. */
  branches: JsonSchema[];
  required: string[];
  items: JsonSchema | null;
}

const infoCache = new WeakMap<JsonSchema, NodeInfo>();
let nodeCount = 0;

function infoOf(node: JsonSchema): NodeInfo {
  let info = infoCache.get(node);
  if (info === undefined) {
    info = readNode(node);
    infoCache.set(node, info);
  }
  return info;
}

const patternCache = new Map<string, RegExp | null>();

function compiledPattern(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = null; // a pattern JS cannot compile is not ours to enforce
    }
    patternCache.set(pattern, re);
  }
  return re;
}

function readNode(node: JsonSchema): NodeInfo {
  const declared = types(node);
  let typeBits = declared === null ? T_ANY : 0;
  for (const t of declared ?? []) typeBits |= TYPE_BITS[t] ?? 0;
  const { minimum, maximum, pattern } = node;
  const categories = node['x-categories'];
  const properties = propertiesOf(node);
  const names = node['propertyNames'];
  const kind = kindOf(node);
  return {
    id: nodeCount++,
    level: levelOf(node),
    rule: ruleOf(node),
    kind,
    typeBits,
    hasConst: 'const' in node,
    constValue: node['const'],
    choices: Array.isArray(node['enum']) ? node['enum'] : null,
    minimum: typeof minimum === 'number' ? minimum : null,
    maximum: typeof maximum === 'number' ? maximum : null,
    pattern: typeof pattern === 'string' ? compiledPattern(pattern) : null,
    categories: Array.isArray(categories) ? categories.filter((v): v is string => typeof v === 'string') : null,
    spec: typeof node['x-rule'] === 'string' ? ruleSpec(node['x-rule']) : null,
    allowsNull: allowsNull(node),
    properties,
    recordValues: recordValuesOf(node),
    keyRule: typeof node['x-keys'] === 'string' ? node['x-keys'] : 'keep',
    propertyNames: isRecord(names) ? names : null,
    branches: branchesOf(node) ?? [],
    required: Array.isArray(node['required']) ? node['required'].filter((k): k is string => typeof k === 'string') : [],
    items: kind === 'array' ? (node['items'] as JsonSchema) : null,
  };
}

// ---- checks -------------------------------------------------------------------------

interface Walk {
  root: JsonSchema;
  options: ApplyOptions;
  changes: FieldChange[];
  memo: RuleMemo | undefined;
  /** False for schemaChanges: the output is not built, only the changes. */
  build: boolean;
  /** The object whose field is being visited (its input), for rules that read a sibling; null in arrays. */
  parent: Readonly<Record<string, unknown>> | null;
  errors: ErrorContext;
}

function copyRaw(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value); // functions and the like: a description is all a preview needs
  }
}

// Where a value sits, as RFC 6901 pointer parts: the text is only made for a change
// (most fields change nothing, and a walk visits hundreds of them).
type Token = string | number;

interface Path {
  up: Path | null;
  token: Token;
  text: string | null;
}

function textOf(path: Path): string {
  path.text ??= pointerOf(path.up as Path, path.token);
  return path.text;
}

/** The pointer of `token` under `up`; a null token is `up` itself. */
function pointerOf(up: Path, token: Token | null): string {
  if (token === null) return textOf(up);
  return `${textOf(up)}/${typeof token === 'number' ? token : pointerToken(token)}`;
}

function pathTo(up: Path, token: Token | null): Path {
  return token === null ? up : { up, token, text: null };
}

function drop(walk: Walk, up: Path, token: Token | null, value: unknown): typeof DROP {
  walk.changes.push({ path: pointerOf(up, token), action: 'dropped', raw: copyRaw(value) });
  return DROP;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty for __proto__, so it is data, not a prototype switch; plain assignment otherwise (much faster).
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** The JSON type of a value as bits: an integer is both `integer` and `number`; 0 for what JSON has not. */
function typeBitsOf(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return T_STRING;
    case 'number':
      return Number.isInteger(value) ? T_INTEGER : T_NUMBER;
    case 'boolean':
      return T_BOOLEAN;
    case 'object':
      return value === null ? T_NULL : Array.isArray(value) ? T_ARRAY : T_OBJECT;
    default:
      return 0;
  }
}

function typeFits(info: NodeInfo, value: unknown): boolean {
  if (typeof value === 'number' && !Number.isFinite(value)) return false; // not JSON
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    Object.getPrototypeOf(value) !== null
  )
    return false;
  const actual = typeBitsOf(value);
  if (actual === 0) return false;
  // An integer fits `integer` or `number`; a fraction only `number`.
  return (info.typeBits & (actual === T_INTEGER ? T_INTEGER | T_NUMBER : actual)) !== 0;
}

function valueFits(info: NodeInfo, value: unknown): boolean {
  if (!typeFits(info, value)) return false;
  if (info.hasConst && info.constValue !== value) return false;
  if (info.choices !== null && !info.choices.includes(value)) return false;
  if (typeof value === 'number') {
    if (info.minimum !== null && value < info.minimum) return false;
    if (info.maximum !== null && value > info.maximum) return false;
  }
  if (info.pattern !== null && typeof value === 'string' && !info.pattern.test(value)) return false;
  return true;
}

// ---- rules ------------------------------------------------------------------------

/** The value under a rule (`spec` is its entry), or DROP when the rule does not apply to it (or is unknown). */
function applyRule(rule: string, spec: RuleSpec | null, value: unknown, info: NodeInfo, walk: Walk): unknown {
  if (rule === 'keep' || value === null || walk.options.skipRules?.has(rule)) return value;
  if (spec === null) return DROP;
  const out = spec.apply(value, {
    key: walk.options.key,
    scrub: walk.options.scrub,
    errors: walk.errors,
    categories: info.categories,
    siblings: walk.parent,
  });
  return out === RULE_DROP ? DROP : out;
}

function actionOf(rule: string): ChangeAction {
  return ruleSpec(rule)?.action ?? 'dropped';
}

/** The value under its rule, checked against its node again; DROP when it cannot be kept. */
function ruledValue(rule: string, spec: RuleSpec | null, value: unknown, info: NodeInfo, walk: Walk): unknown {
  const out = applyRule(rule, spec, value, info, walk);
  return out === DROP || !valueFits(info, out) ? DROP : out;
}

/** A leaf's value under its rule, remembered where a memo may hold it. */
function ruledLeaf(value: unknown, info: NodeInfo, rule: string, walk: Walk): unknown {
  const spec = rule === info.rule ? info.spec : ruleSpec(rule);
  const memo = walk.memo;
  // A rule that reads a sibling is not a function of the value alone: never remembered.
  if (memo === undefined || !memorable(value) || spec?.contextual?.(walk.errors) === true) return ruledValue(rule, spec, value, info, walk);
  const known = memo.get(info.id, rule, value);
  if (known !== undefined) return known;
  const out = ruledValue(rule, spec, value, info, walk);
  memo.set(info.id, rule, value, out);
  return out;
}

/** Strings and numbers, except -0: a Map holds it under the key of 0, and a rule may tell them apart. */
function memorable(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && !Object.is(value, -0));
}

function visitLeaf(value: unknown, info: NodeInfo, up: Path, token: Token | null, rule: string | null, walk: Walk): Outcome {
  if (!valueFits(info, value)) return drop(walk, up, token, value);
  if (!walk.options.anonymize || value === null) return value; // null says nothing: no rule needed
  if (rule === null) return drop(walk, up, token, value);
  const out = ruledLeaf(value, info, rule, walk);
  if (out === DROP) return drop(walk, up, token, value);
  if (!Object.is(out, value)) walk.changes.push({ path: pointerOf(up, token), action: actionOf(rule), raw: value });
  return out;
}

// ---- structure --------------------------------------------------------------------

function recordKey(key: string, info: NodeInfo, walk: Walk): string | typeof DROP {
  // A key outside the record's declared key pattern (an app's metric name) is dropped like any other bad value.
  if (info.propertyNames !== null && !valueFits(infoOf(info.propertyNames), key)) return DROP;
  const rule = info.keyRule;
  if (!walk.options.anonymize || rule === 'keep') return key;
  const out = applyRule(rule, ruleSpec(rule), key, info, walk);
  return typeof out === 'string' ? out : DROP;
}

function visitObject(value: unknown, info: NodeInfo, up: Path, token: Token | null, walk: Walk): Outcome {
  if (!isRecord(value) || !typeFits(info, value)) return drop(walk, up, token, value);
  const here = pathTo(up, token);
  const properties = info.properties;
  const recordValues = info.recordValues;
  const out: Record<string, unknown> | null = walk.build ? {} : null;
  // A check builds nothing: it keeps the names taken only where a record's key rule could make two alike.
  const taken: Set<string> | null = out === null && recordValues !== null ? new Set() : null;
  for (const key of Object.keys(value)) {
    const child = value[key];
    const declared = Object.hasOwn(properties, key) ? properties[key] : undefined;
    walk.parent = value; // again for each field: a nested object's visit moved it
    if (isRecord(declared)) {
      const result = visit(child, declared, here, key, null, walk);
      if (result !== OMIT && result !== DROP) {
        if (out !== null) setOwn(out, key, result);
        else taken?.add(key);
      }
      continue;
    }
    if (recordValues === null) {
      drop(walk, here, key, child);
      continue;
    }
    const outKey = recordKey(key, info, walk);
    if (outKey === DROP || (out !== null ? Object.hasOwn(out, outKey) : (taken as Set<string>).has(outKey))) {
      drop(walk, here, key, child);
      continue;
    }
    const result = visit(child, recordValues, here, outKey, null, walk);
    if (result === OMIT || result === DROP) continue;
    if (outKey !== key) walk.changes.push({ path: pointerOf(here, outKey), action: actionOf(info.keyRule), raw: key });
    if (out !== null) setOwn(out, outKey, result);
    else taken?.add(outKey);
  }
  return out ?? KEPT;
}

function visitArray(value: unknown, info: NodeInfo, up: Path, token: Token | null, walk: Walk): Outcome {
  if (!Array.isArray(value) || !typeFits(info, value)) return drop(walk, up, token, value);
  const here = pathTo(up, token);
  const items = info.items as JsonSchema; // kindOf checked it is a schema object
  const out: unknown[] | null = walk.build ? [] : null;
  let kept = 0; // an element's pointer is its place in the output
  for (const element of value) {
    walk.parent = null;
    const result = visit(element, items, here, kept, null, walk);
    if (result === OMIT || result === DROP) continue;
    out?.push(result);
    kept += 1;
  }
  return out ?? KEPT;
}

/** How badly a value misses a union branch: [const mismatches, missing required, undeclared keys]. */
function misfit(value: unknown, branch: NodeInfo, walk: Walk): number[] | null {
  const kind = branch.kind;
  if (value === null) return branch.allowsNull ? [0, 0, 0] : null;
  if (kind === 'object') {
    if (!isRecord(value) || !typeFits(branch, value)) return null;
    const properties = branch.properties;
    let constMiss = 0,
      missing = 0,
      unknown = 0;
    for (const key of Object.keys(properties)) {
      const child = properties[key];
      if (!isRecord(child)) continue;
      const resolved = infoOf(resolveNode(child, walk.root));
      if (resolved.hasConst && Object.hasOwn(value, key) && value[key] !== resolved.constValue) constMiss++;
    }
    for (const key of branch.required) if (!Object.hasOwn(value, key)) missing++;
    if (branch.recordValues === null) for (const key of Object.keys(value)) if (!Object.hasOwn(properties, key)) unknown++;
    return [constMiss, missing, unknown];
  }
  if (kind === 'array') return Array.isArray(value) && typeFits(branch, value) ? [0, 0, 0] : null;
  if (kind === 'union') return [0, 0, 0]; // nested union: let the recursion decide
  return valueFits(branch, value) ? [0, 0, 0] : null;
}

function lexicallyLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0,
      y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** The branch the value fits best (first wins a tie); null when none can hold it. */
function pickBranch(value: unknown, branches: JsonSchema[], walk: Walk): JsonSchema | null {
  let best: JsonSchema | null = null;
  let bestScore: number[] | null = null;
  for (const raw of branches) {
    const branch = resolveNode(raw, walk.root);
    const score = misfit(value, infoOf(branch), walk);
    if (score === null) continue;
    if (bestScore === null || lexicallyLess(score, bestScore)) {
      best = branch;
      bestScore = score;
    }
  }
  return best;
}

function visit(value: unknown, rawNode: JsonSchema, up: Path, token: Token | null, inheritedRule: string | null, walk: Walk): Outcome {
  const node = resolveNode(rawNode, walk.root);
  const info = infoOf(node);
  if (info.level !== null && info.level > walk.options.level) return OMIT;
  const rule = info.rule ?? inheritedRule;
  switch (info.kind) {
    case 'union': {
      const branch = pickBranch(value, info.branches, walk);
      return branch === null ? drop(walk, up, token, value) : visit(value, branch, up, token, rule, walk);
    }
    case 'object':
      if (value === null && info.allowsNull) return null;
      return visitObject(value, info, up, token, walk);
    case 'array':
      if (value === null && info.allowsNull) return null;
      return visitArray(value, info, up, token, walk);
    case 'leaf':
      return visitLeaf(value, info, up, token, rule, walk);
    default:
      return drop(walk, up, token, value); // a schema construct the walker does not read: fail safe
  }
}

function startWalk(schema: JsonSchema, options: ApplyOptions, build = true): Walk {
  options.memo?.bind(options);
  return {
    root: schema,
    options,
    changes: [],
    memo: options.anonymize ? options.memo : undefined,
    build,
    parent: null,
    errors: options.errors ?? NO_ERROR_CONTEXT,
  };
}

/** Cut a payload to a details level and, when asked, anonymize it, as the schema says. */
export function applySchema(payload: unknown, schema: JsonSchema, options: ApplyOptions): ApplyResult {
  const walk = startWalk(schema, options);
  const out = visit(payload, schema, { up: null, token: '', text: '' }, null, null, walk);
  return { payload: out === OMIT || out === DROP ? undefined : out, changes: walk.changes };
}

/**
 * The changes applySchema would report, without building its output: what a receiver
 * needs to tell whether a report is already what the anonymizer makes of it.
 */
export function schemaChanges(payload: unknown, schema: JsonSchema, options: ApplyOptions): FieldChange[] {
  const walk = startWalk(schema, options, false);
  visit(payload, schema, { up: null, token: '', text: '' }, null, null, walk);
  return walk.changes;
}

/**
 * The same walk over one part of a payload: `pointer` names the part's node in the
 * schema's `properties` (e.g. `sources`), and change paths start with it. Used for data
 * that is previewed beside the payload but not in it (pending sources).
 */
export function applySchemaAt(value: unknown, schema: JsonSchema, property: string, options: ApplyOptions): ApplyResult {
  const node = propertiesOf(schema)[property];
  if (!isRecord(node)) throw new Error(`applySchemaAt: the schema has no property ${JSON.stringify(property)}`);
  const walk = startWalk(schema, options);
  const out = visit(value, node, { up: null, token: property, text: `/${pointerToken(property)}` }, null, null, walk);
  return { payload: out === OMIT || out === DROP ? undefined : out, changes: walk.changes };
}
