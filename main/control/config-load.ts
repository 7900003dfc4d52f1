import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigSchema, CONFIG_KEYS, defaultConfig, setPath, type CandorConfig } from './config-schema.js';
import { ConfigError } from './config-error.js';
import { readConfigEnv } from './config-env.js';
import { readConfigFile } from './config-yaml.js';
import { resolveConfigDir } from './paths.js';
import type { LeafValue } from './config-leaf.js';

export { ConfigError } from './config-error.js';

export interface LoadedConfig {
  config: CandorConfig;
  /** Files actually loaded, in order (as displayed: relative to cwd where possible). */
  files: string[];
  runMode: string;
  /** Human sources that set telemetry_disabled true: 'config/production.yaml', 'CANDOR__TELEMETRY_DISABLED=1'. */
  disabledBy: string[];
  /** Key path -> where its value came from: 'built-in default', 'config/local.yaml:3', 'CANDOR__LOG__LEVEL'. */
  sources: Record<string, string>;
}

export const DEFAULT_SOURCE = 'built-in default';

function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : file;
}

function runModeOf(env: NodeJS.ProcessEnv): string {
  const mode = env['RUN_MODE'];
  if (mode === undefined || mode === '') return 'production';
  // It becomes a file name: no separators, no "..", nothing that escapes the config directory.
  if (!/^[A-Za-z0-9_-]+$/.test(mode)) {
    throw new ConfigError({
      source: 'RUN_MODE',
      problem: `expected a name of letters, digits, _ or - (it selects config/<RUN_MODE>.yaml), got ${JSON.stringify(mode)}`,
    });
  }
  return mode;
}

/**
 * Layers: built-in defaults -> config.yaml -> $RUN_MODE.yaml -> local.yaml -> --config-path
 * -> CANDOR__ environment. Later layers replace values key by key, except
 * telemetry_disabled: true in ANY layer wins (no source can switch telemetry back on).
 * Throws ConfigError on anything invalid; the agent must not start then.
 */
export function loadConfig(opts: { cwd: string; env: NodeJS.ProcessEnv; configPath?: string; configDir?: string }): LoadedConfig {
  const cwd = resolve(opts.cwd);
  const dir = opts.configDir !== undefined ? resolve(cwd, opts.configDir) : resolveConfigDir(cwd);
  const runMode = runModeOf(opts.env);

  const layers: { file: string; optional: boolean }[] = [
    { file: join(dir, 'config.yaml'), optional: true },
    { file: join(dir, `${runMode}.yaml`), optional: true },
    { file: join(dir, 'local.yaml'), optional: true },
  ];
  if (opts.configPath !== undefined) layers.push({ file: resolve(cwd, opts.configPath), optional: false });

  const raw: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const spec of CONFIG_KEYS) {
    setPath(raw, spec.path, spec.default);
    sources[spec.path] = DEFAULT_SOURCE;
  }
  const files: string[] = [];
  const disabledBy: string[] = [];

  const apply = (leaf: LeafValue, source: string, disabledLabel: string): void => {
    if (leaf.path === 'telemetry_disabled') {
      if (leaf.value === true) disabledBy.push(disabledLabel);
      // A false never clears a true set by any other layer.
      if (disabledBy.length > 0) {
        sources[leaf.path] = disabledBy.join(', ');
        return;
      }
    }
    setPath(raw, leaf.path, leaf.value);
    sources[leaf.path] = leaf.line === null ? source : `${source}:${leaf.line}`;
  };

  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.file)) continue; // RUN_MODE=local or --config-path naming a layered file
    seen.add(layer.file);
    const display = displayPath(cwd, layer.file);
    const leaves = readConfigFile(layer.file, display, layer.optional);
    if (leaves === null) continue;
    files.push(display);
    for (const leaf of leaves) apply(leaf, display, display);
  }
  for (const { name, raw: text, leaf } of readConfigEnv(opts.env)) apply(leaf, name, `${name}=${text}`);
  if (disabledBy.length > 0) setPath(raw, 'telemetry_disabled', true);

  const parsed = ConfigSchema.safeParse(raw);
  // Each leaf was checked already; this guards the table and the schema drifting apart.
  if (!parsed.success) throw new ConfigError({ source: 'merged configuration', problem: parsed.error.message });
  return { config: parsed.data, files, runMode, disabledBy, sources };
}

export { defaultConfig };
