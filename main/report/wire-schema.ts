import { ruleSpec } from '../anonymize/rules.js';
import { isRecord, type JsonSchema } from '../anonymize/schema-nodes.js';

// The schema of what is sent, derived from the local schema (which also describes raw
// previews): fields that never leave (rule `local`) are gone, `anonymized` must be
// true, and each rule adds what a receiver can check of its output (a category's list
// as an enum, a hash's or a coarsened time's pattern). Published per version in
// docs/schema/ and used by the collector.

function wireNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(wireNode);
  if (!isRecord(node)) return node;
  const out: JsonSchema = {};
  for (const [key, child] of Object.entries(node)) out[key] = key === 'properties' ? child : wireNode(child);
  const properties = node['properties'];
  if (isRecord(properties)) {
    const kept: JsonSchema = {};
    const removed = new Set<string>();
    for (const [key, child] of Object.entries(properties)) {
      if (isRecord(child) && child['x-rule'] === 'local') removed.add(key);
      else kept[key] = wireNode(child);
    }
    out['properties'] = kept;
    if (Array.isArray(node['required'])) out['required'] = node['required'].filter((k) => !removed.has(String(k)));
  }
  const rule = typeof node['x-rule'] === 'string' ? ruleSpec(node['x-rule']) : null;
  if (rule?.wire) {
    const categories = Array.isArray(node['x-categories']) ? (node['x-categories'] as string[]) : null;
    // A keyword the field already has (zod's date-time pattern, say) stays: the rule's joins it under allOf.
    for (const [keyword, value] of Object.entries(rule.wire(categories))) {
      if (!(keyword in out)) out[keyword] = value;
      else out['allOf'] = [...(Array.isArray(out['allOf']) ? out['allOf'] : []), { [keyword]: value }];
    }
  }
  return out;
}

export function wireSchemaOf(local: JsonSchema, version: number): JsonSchema {
  const out = wireNode(local) as JsonSchema;
  const properties = out['properties'];
  if (isRecord(properties) && isRecord(properties['anonymized'])) {
    properties['anonymized'] = { ...properties['anonymized'], const: true, description: 'Always true: only anonymized reports are sent.' };
  }
  return {
    ...out,
    $id: `https://candor.invalid/schema/payload-v${version}.json`,
    title: `Candor payload v${version} (as sent)`,
  };
}
