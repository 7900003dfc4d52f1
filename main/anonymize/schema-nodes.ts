// Reading the JSON Schema the payload schema generates (draft 2020-12 from zod):
// $ref resolution, annotations, and which shape a node describes. Shared by the
// walker (apply.ts) and the schema checks (schema-checks.ts) so both agree on what a
// leaf is.

export type JsonSchema = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901 escaping of one reference token. */
export function pointerToken(key: string | number): string {
  const text = String(key);
  return text.includes('~') || text.includes('/') ? text.replace(/~/g, '~0').replace(/\//g, '~1') : text;
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

const MAX_REF_HOPS = 64;

/**
 * The node with any local `$ref` followed ('#' and '#/...' pointers, e.g. '#/$defs/X').
 * Keywords next to the `$ref` win over the target's, which is how zod attaches
 * metadata to a referenced schema. A non-local or broken ref is an error.
 */
// Resolved nodes and kinds are cached per schema object: a walk visits the same few
// hundred nodes once per field, and resolving builds a new object each time.
const resolvedCache = new WeakMap<JsonSchema, WeakMap<JsonSchema, JsonSchema>>();
const kindCache = new WeakMap<JsonSchema, NodeKind>();

export function resolveNode(node: JsonSchema, root: JsonSchema): JsonSchema {
  if (typeof node['$ref'] !== 'string') return node;
  let byNode = resolvedCache.get(root);
  if (byNode === undefined) {
    byNode = new WeakMap();
    resolvedCache.set(root, byNode);
  }
  const cached = byNode.get(node);
  if (cached !== undefined) return cached;
  const resolved = resolveUncached(node, root);
  byNode.set(node, resolved);
  return resolved;
}

function resolveUncached(node: JsonSchema, root: JsonSchema): JsonSchema {
  let current = node;
  for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
    const ref = current['$ref'];
    if (typeof ref !== 'string') return current;
    if (ref !== '#' && !ref.startsWith('#/')) throw new Error(`schema $ref ${JSON.stringify(ref)} is not a local reference`);
    let target: unknown = root;
    for (const token of ref === '#' ? [] : ref.slice(2).split('/').map(unescapeToken)) {
      target = isRecord(target) ? target[token] : undefined;
    }
    if (!isRecord(target)) throw new Error(`schema $ref ${JSON.stringify(ref)} points at nothing`);
    const { $ref: _ignored, ...siblings } = current;
    current = { ...target, ...siblings }; // keeps the target's own $ref, if any, for the next hop
  }
  throw new Error(`schema $ref chain longer than ${MAX_REF_HOPS} hops (a cycle of refs?)`);
}

export function types(node: JsonSchema): string[] | null {
  const type = node['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return null;
}

export function levelOf(node: JsonSchema): number | null {
  const level = node['x-level'];
  return typeof level === 'number' ? level : null;
}

export function ruleOf(node: JsonSchema): string | null {
  const rule = node['x-rule'];
  return typeof rule === 'string' ? rule : null;
}

export function branchesOf(node: JsonSchema): JsonSchema[] | null {
  const list = node['anyOf'] ?? node['oneOf'];
  return Array.isArray(list) ? list.filter(isRecord) : null;
}

export function propertiesOf(node: JsonSchema): Record<string, unknown> {
  const properties = node['properties'];
  return isRecord(properties) ? properties : {};
}

/** The schema for record values, or null when undeclared keys are not allowed through. */
export function recordValuesOf(node: JsonSchema): JsonSchema | null {
  const additional = node['additionalProperties'];
  return isRecord(additional) ? additional : null;
}

const UNSUPPORTED = ['allOf', 'not', 'if', 'patternProperties', 'prefixItems', 'dependentSchemas', 'unevaluatedProperties'];

export type NodeKind = 'union' | 'object' | 'array' | 'leaf' | 'unsupported';

export function kindOf(node: JsonSchema): NodeKind {
  let kind = kindCache.get(node);
  if (kind === undefined) {
    kind = kindUncached(node);
    kindCache.set(node, kind);
  }
  return kind;
}

function kindUncached(node: JsonSchema): NodeKind {
  if (UNSUPPORTED.some((k) => k in node)) return 'unsupported';
  if (branchesOf(node) !== null) return 'union';
  const t = types(node);
  if (t?.includes('object') || 'properties' in node || 'additionalProperties' in node) return 'object';
  if (t?.includes('array') || 'items' in node) return isRecord(node['items']) ? 'array' : 'unsupported';
  return 'leaf';
}

/** A node that only admits null carries no information and needs no rule. */
export function isNullOnly(node: JsonSchema): boolean {
  const t = types(node);
  return (t !== null && t.length === 1 && t[0] === 'null') || node['const'] === null;
}

export function allowsNull(node: JsonSchema): boolean {
  const t = types(node);
  if (t?.includes('null') || node['const'] === null) return true;
  const e = node['enum'];
  return Array.isArray(e) && e.includes(null);
}
