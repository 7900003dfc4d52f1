import {
  branchesOf,
  isNullOnly,
  isRecord,
  kindOf,
  levelOf,
  pointerToken,
  propertiesOf,
  recordValuesOf,
  resolveNode,
  ruleOf,
  type JsonSchema,
} from './schema-nodes.js';

// Checks and views of the payload schema, for tests and for publishing per-level
// schemas. Pointers here are JSON pointers into the schema document.

function children(node: JsonSchema, at: string): Array<[JsonSchema, string]> {
  const out: Array<[JsonSchema, string]> = [];
  const branches = branchesOf(node);
  if (branches) {
    const keyword = Array.isArray(node['anyOf']) ? 'anyOf' : 'oneOf';
    branches.forEach((b, i) => out.push([b, `${at}/${keyword}/${i}`]));
    return out;
  }
  for (const [key, child] of Object.entries(propertiesOf(node))) {
    if (isRecord(child)) out.push([child, `${at}/properties/${pointerToken(key)}`]);
  }
  const values = recordValuesOf(node);
  if (values) out.push([values, `${at}/additionalProperties`]);
  if (isRecord(node['items'])) out.push([node['items'], `${at}/items`]);
  return out;
}

/**
 * Schema pointers of leaves that state no x-rule (themselves or on the union around
 * them). The walker drops such a leaf when anonymizing, so each one is a schema bug.
 * Null-only branches need no rule: null says nothing. Constructs the walker cannot
 * read (allOf, tuples) count as rule-less leaves.
 */
export function leavesWithoutRule(schema: JsonSchema): string[] {
  const found: string[] = [];
  const seen = new Set<JsonSchema>();
  const walk = (raw: JsonSchema, at: string, inherited: string | null): void => {
    if (seen.has(raw)) return; // a recursive $ref: its leaves are reported once
    seen.add(raw);
    const node = resolveNode(raw, schema);
    const rule = ruleOf(node) ?? inherited;
    const kind = kindOf(node);
    if (kind === 'leaf' || kind === 'unsupported') {
      if ((rule === null || kind === 'unsupported') && !isNullOnly(node)) found.push(at === '' ? '/' : at);
      return;
    }
    for (const [child, where] of children(node, at)) walk(child, where, kind === 'union' ? rule : null);
  };
  walk(schema, '', null);
  return found;
}

/**
 * Properties listed as required although their x-level is above the level of the
 * object holding them: at the levels in between, the cut payload cannot satisfy the
 * full schema. Each entry: the property's schema pointer and the levels it is missing at.
 */
export function requiredAboveLevel(schema: JsonSchema): Array<{ pointer: string; missingAtLevels: number[] }> {
  const found: Array<{ pointer: string; missingAtLevels: number[] }> = [];
  const seen = new Set<JsonSchema>();
  const walk = (raw: JsonSchema, at: string, parentLevel: number): void => {
    if (seen.has(raw)) return;
    seen.add(raw);
    const node = resolveNode(raw, schema);
    const here = Math.max(parentLevel, levelOf(node) ?? 0);
    const required = Array.isArray(node['required']) ? node['required'] : [];
    for (const [key, child] of Object.entries(propertiesOf(node))) {
      if (!isRecord(child)) continue;
      const level = levelOf(resolveNode(child, schema));
      if (required.includes(key) && level !== null && level > here) {
        const missingAtLevels: number[] = [];
        for (let l = here; l < level; l++) missingAtLevels.push(l);
        found.push({ pointer: `${at}/properties/${pointerToken(key)}`, missingAtLevels });
      }
    }
    for (const [child, where] of children(node, at)) walk(child, where, here);
  };
  walk(schema, '', 0);
  return found;
}

/**
 * The schema of a payload cut to `level`: properties above the level removed from
 * `properties` and `required`. Validating a cut payload against this (rather than the
 * full schema) is exact at every level.
 */
export function schemaAtLevel(schema: JsonSchema, level: number): JsonSchema {
  const cut = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(cut);
    if (!isRecord(value)) return value;
    const out: JsonSchema = {};
    for (const [key, child] of Object.entries(value)) out[key] = cut(child);
    const properties = value['properties'];
    if (isRecord(properties)) {
      const kept: JsonSchema = {};
      const removed = new Set<string>();
      for (const [key, child] of Object.entries(properties)) {
        const childLevel = isRecord(child) ? levelOf(resolveNode(child, schema)) : null;
        if (childLevel !== null && childLevel > level) removed.add(key);
        else kept[key] = cut(child);
      }
      out['properties'] = kept;
      if (Array.isArray(value['required'])) out['required'] = value['required'].filter((k) => !removed.has(String(k)));
    }
    return out;
  };
  return cut(schema) as JsonSchema;
}
