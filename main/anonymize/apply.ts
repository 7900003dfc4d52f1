import type { ChangeAction, FieldChange } from '../api.js';
import { DROP as RULE_DROP, NO_ERROR_CONTEXT, ruleSpec, type ErrorContext } from './rules.js';
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
}

export interface ApplyResult {
  payload: unknown;
  changes: FieldChange[];
}

/** Left out by the level filter: silently absent. */
const OMIT = Symbol('omit');
/** Not allowed by the schema: absent and reported. */
const DROP = Symbol('drop');
type Outcome = unknown;

interface Walk {
  root: JsonSchema;
  options: ApplyOptions;
  changes: FieldChange[];
}

function copyRaw(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value); // functions and the like: a description is all a preview needs
  }
}

function drop(walk: Walk, pointer: string, value: unknown): typeof DROP {
  walk.changes.push({ path: pointer, action: 'dropped', raw: copyRaw(value) });
  return DROP;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so a key named __proto__ is data, not a prototype switch.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeFits(node: JsonSchema, value: unknown): boolean {
  if (typeof value === 'number' && !Number.isFinite(value)) return false; // not JSON
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    Object.getPrototypeOf(value) !== null
  )
    return false;
  const allowed = types(node);
  if (allowed === null) return ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'].includes(jsonType(value));
  const actual = jsonType(value);
  return allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
}

const patternCache = new Map<string, RegExp | null>();

function valueFits(node: JsonSchema, value: unknown): boolean {
  if (!typeFits(node, value)) return false;
  if ('const' in node && node['const'] !== value) return false;
  const choices = node['enum'];
  if (Array.isArray(choices) && !choices.includes(value)) return false;
  if (typeof value === 'number') {
    const { minimum, maximum } = node;
    if (typeof minimum === 'number' && value < minimum) return false;
    if (typeof maximum === 'number' && value > maximum) return false;
  }
  const pattern = node['pattern'];
  if (typeof pattern === 'string' && typeof value === 'string') {
    let re = patternCache.get(pattern);
    if (re === undefined) {
      try {
        re = new RegExp(pattern, 'u');
      } catch {
        re = null; // a pattern JS cannot compile is not ours to enforce
      }
      patternCache.set(pattern, re);
    }
    if (re !== null && !re.test(value)) return false;
  }
  return true;
}

// ---- rules ------------------------------------------------------------------------

function categoriesOf(node: JsonSchema): readonly string[] | null {
  const list = node['x-categories'];
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : null;
}

/** The value under a rule, or DROP when the rule does not apply to it (or is unknown). */
function applyRule(rule: string, value: unknown, node: JsonSchema, options: ApplyOptions): unknown {
  if (rule === 'keep' || value === null || options.skipRules?.has(rule)) return value;
  const spec = ruleSpec(rule);
  if (spec === null) return DROP;
  const errors = options.errors ?? NO_ERROR_CONTEXT;
  const out = spec.apply(value, { key: options.key, scrub: options.scrub, errors, categories: categoriesOf(node) });
  return out === RULE_DROP ? DROP : out;
}

function actionOf(rule: string): ChangeAction {
  return ruleSpec(rule)?.action ?? 'dropped';
}

function visitLeaf(value: unknown, node: JsonSchema, pointer: string, rule: string | null, walk: Walk): Outcome {
  if (!valueFits(node, value)) return drop(walk, pointer, value);
  if (!walk.options.anonymize || value === null) return value; // null says nothing: no rule needed
  if (rule === null) return drop(walk, pointer, value);
  const out = applyRule(rule, value, node, walk.options);
  if (out === DROP || !valueFits(node, out)) return drop(walk, pointer, value);
  if (!Object.is(out, value)) walk.changes.push({ path: pointer, action: actionOf(rule), raw: value });
  return out;
}

// ---- structure --------------------------------------------------------------------

function keyRule(node: JsonSchema): string {
  return typeof node['x-keys'] === 'string' ? node['x-keys'] : 'keep';
}

function recordKey(key: string, node: JsonSchema, walk: Walk): string | typeof DROP {
  // A key outside the record's declared key pattern (an app's metric name) is dropped like any other bad value.
  const names = node['propertyNames'];
  if (isRecord(names) && !valueFits(names, key)) return DROP;
  const rule = keyRule(node);
  if (!walk.options.anonymize || rule === 'keep') return key;
  const out = applyRule(rule, key, node, walk.options);
  return typeof out === 'string' ? out : DROP;
}

function visitObject(value: unknown, node: JsonSchema, pointer: string, walk: Walk): Outcome {
  if (!isRecord(value) || !typeFits(node, value)) return drop(walk, pointer, value);
  const properties = propertiesOf(node);
  const recordValues = recordValuesOf(node);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child = value[key];
    const declared = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (isRecord(declared)) {
      const result = visit(child, declared, `${pointer}/${pointerToken(key)}`, null, walk);
      if (result !== OMIT && result !== DROP) setOwn(out, key, result);
      continue;
    }
    if (recordValues === null) {
      drop(walk, `${pointer}/${pointerToken(key)}`, child);
      continue;
    }
    const outKey = recordKey(key, node, walk);
    if (outKey === DROP || Object.hasOwn(out, outKey)) {
      drop(walk, `${pointer}/${pointerToken(key)}`, child);
      continue;
    }
    const result = visit(child, recordValues, `${pointer}/${pointerToken(outKey)}`, null, walk);
    if (result === OMIT || result === DROP) continue;
    if (outKey !== key) walk.changes.push({ path: `${pointer}/${pointerToken(outKey)}`, action: actionOf(keyRule(node)), raw: key });
    setOwn(out, outKey, result);
  }
  return out;
}

function visitArray(value: unknown, node: JsonSchema, pointer: string, walk: Walk): Outcome {
  if (!Array.isArray(value) || !typeFits(node, value)) return drop(walk, pointer, value);
  const items = node['items'] as JsonSchema; // kindOf checked it is a schema object
  const out: unknown[] = [];
  for (const element of value) {
    const result = visit(element, items, `${pointer}/${out.length}`, null, walk);
    if (result !== OMIT && result !== DROP) out.push(result);
  }
  return out;
}

/** How badly a value misses a union branch: [const mismatches, missing required, undeclared keys]. */
function misfit(value: unknown, branch: JsonSchema, walk: Walk): number[] | null {
  const kind = kindOf(branch);
  if (value === null) return allowsNull(branch) ? [0, 0, 0] : null;
  if (kind === 'object') {
    if (!isRecord(value) || !typeFits(branch, value)) return null;
    const properties = propertiesOf(branch);
    let constMiss = 0,
      missing = 0,
      unknown = 0;
    for (const [key, child] of Object.entries(properties)) {
      if (!isRecord(child)) continue;
      const resolved = resolveNode(child, walk.root);
      if ('const' in resolved && Object.hasOwn(value, key) && value[key] !== resolved['const']) constMiss++;
    }
    const required = Array.isArray(branch['required']) ? branch['required'] : [];
    for (const key of required) if (typeof key === 'string' && !Object.hasOwn(value, key)) missing++;
    if (recordValuesOf(branch) === null) for (const key of Object.keys(value)) if (!Object.hasOwn(properties, key)) unknown++;
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
    const score = misfit(value, branch, walk);
    if (score === null) continue;
    if (bestScore === null || lexicallyLess(score, bestScore)) {
      best = branch;
      bestScore = score;
    }
  }
  return best;
}

function visit(value: unknown, rawNode: JsonSchema, pointer: string, inheritedRule: string | null, walk: Walk): Outcome {
  const node = resolveNode(rawNode, walk.root);
  const level = levelOf(node);
  if (level !== null && level > walk.options.level) return OMIT;
  const rule = ruleOf(node) ?? inheritedRule;
  switch (kindOf(node)) {
    case 'union': {
      const branch = pickBranch(value, branchesOf(node) ?? [], walk);
      return branch === null ? drop(walk, pointer, value) : visit(value, branch, pointer, rule, walk);
    }
    case 'object':
      if (value === null && allowsNull(node)) return null;
      return visitObject(value, node, pointer, walk);
    case 'array':
      if (value === null && allowsNull(node)) return null;
      return visitArray(value, node, pointer, walk);
    case 'leaf':
      return visitLeaf(value, node, pointer, rule, walk);
    default:
      return drop(walk, pointer, value); // a schema construct the walker does not read: fail safe
  }
}

/** Cut a payload to a details level and, when asked, anonymize it, as the schema says. */
export function applySchema(payload: unknown, schema: JsonSchema, options: ApplyOptions): ApplyResult {
  const walk: Walk = { root: schema, options, changes: [] };
  const out = visit(payload, schema, '', null, walk);
  return { payload: out === OMIT || out === DROP ? undefined : out, changes: walk.changes };
}

/**
 * The same walk over one part of a payload: `pointer` names the part's node in the
 * schema's `properties` (e.g. `sources`), and change paths start with it. Used for data
 * that is previewed beside the payload but not in it (pending sources).
 */
export function applySchemaAt(value: unknown, schema: JsonSchema, property: string, options: ApplyOptions): ApplyResult {
  const node = propertiesOf(schema)[property];
  if (!isRecord(node)) throw new Error(`applySchemaAt: the schema has no property ${JSON.stringify(property)}`);
  const walk: Walk = { root: schema, options, changes: [] };
  const out = visit(value, node, `/${pointerToken(property)}`, null, walk);
  return { payload: out === OMIT || out === DROP ? undefined : out, changes: walk.changes };
}
