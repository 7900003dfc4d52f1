import { CONFIG_KEY_MAP, CONFIG_KEYS, type LeafSpec } from './config-schema.js';
import { closestName, ConfigError } from './config-error.js';
import { checkLeaf, type LeafValue } from './config-leaf.js';

// CANDOR__ + upper-case key path with __ between levels. Single-underscore names
// (CANDOR_DATA_DIR, CANDOR_CHROMIUM, ...) are not configuration and are left alone.
export const ENV_PREFIX = 'CANDOR__';

export function envNameFor(path: string): string {
  return ENV_PREFIX + path.split('.').join('__').toUpperCase();
}

const ENV_TO_PATH: ReadonlyMap<string, string> = new Map(CONFIG_KEYS.map((spec) => [envNameFor(spec.path), spec.path]));

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** true/false/1/0/yes/no, any case; anything else is undefined (the caller reports it). */
export function parseEnvBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

function convert(name: string, spec: LeafSpec, raw: string): unknown {
  const text = raw.trim();
  switch (spec.env) {
    case 'boolean': {
      const value = parseEnvBoolean(text);
      if (value === undefined)
        throw new ConfigError({
          source: name,
          key: spec.path,
          problem: `expected true, false, 1, 0, yes or no, got ${JSON.stringify(raw)}`,
        });
      return value;
    }
    case 'integer':
      if (!/^[+-]?\d+$/.test(text))
        throw new ConfigError({ source: name, key: spec.path, problem: `expected ${spec.expected}, got ${JSON.stringify(raw)}` });
      return Number(text);
    case 'enum':
      // An empty value means null (for the nullable keys); the schema rejects it for the others.
      return text === '' ? null : text.toLowerCase();
    case 'string':
      return text === '' ? null : text;
    case 'list':
      // Comma-separated; an empty value is an empty list.
      return text === '' ? [] : text.split(',').map((item) => item.trim());
  }
}

/** The CANDOR__ variables as checked leaf values, in a stable (key table) order. */
export function readConfigEnv(env: NodeJS.ProcessEnv): { name: string; raw: string; leaf: LeafValue }[] {
  const found: { name: string; raw: string; leaf: LeafValue }[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const path = ENV_TO_PATH.get(name);
    const spec = path === undefined ? undefined : CONFIG_KEY_MAP.get(path);
    if (path === undefined || spec === undefined) {
      const hint = closestName(name, [...ENV_TO_PATH.keys()]);
      throw new ConfigError({
        source: name,
        problem: `unknown configuration variable${hint === null ? '' : ` (did you mean ${hint}?)`}; known: ${[...ENV_TO_PATH.keys()].join(', ')}`,
      });
    }
    const leaf = { path, value: convert(name, spec, raw), line: null };
    found.push({ name, raw, leaf: { ...leaf, value: checkLeaf(name, leaf) } });
  }
  const order = CONFIG_KEYS.map((spec) => spec.path);
  return found.sort((a, b) => order.indexOf(a.leaf.path) - order.indexOf(b.leaf.path));
}
