import { leafSpecFor } from './config-schema.js';
import { ConfigError, describeValue } from './config-error.js';

/** One key set by one layer (a file or the environment), with where it was set. */
export interface LeafValue {
  path: string;
  value: unknown;
  line: number | null;
}

/** Checks a value against its key's type and range; the error names source, line and key. */
export function checkLeaf(source: string, leaf: LeafValue): unknown {
  const spec = leafSpecFor(leaf.path);
  if (spec === undefined) throw new ConfigError({ source, line: leaf.line, key: leaf.path, problem: 'unknown key' });
  const result = spec.schema.safeParse(leaf.value);
  if (!result.success) {
    throw new ConfigError({
      source,
      line: leaf.line,
      key: leaf.path,
      problem: `expected ${spec.expected}, got ${describeValue(leaf.value)}`,
    });
  }
  return result.data;
}
