import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigSchema, CONFIG_KEYS, defaultConfig, setPath, type CandorConfig } from './config-schema.js';
import { ConfigError } from './config-error.js';
import { readConfigEnv } from './config-env.js';
import { readConfigLayer } from './config-yaml.js';
import { chooseConfigDir, platformConfigDir } from './paths.js';
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
  /** Files in ./config that also hold another tool's keys: only their telemetry_disabled was read (not in `files`). */
  shared: { file: string; foreign: string[]; ignored: string[] }[];
}

const LAYER_NAMES = (runMode: string): string[] => ['config.yaml', `${runMode}.yaml`, 'local.yaml'];

interface Layer {
  file: string;
  optional: boolean;
  /** In ./config, which other tools may share: see readConfigLayer. */
  mayBeShared: boolean;
  /** Read only for telemetry_disabled: true (the platform's files when ./config is the config directory). */
  offSwitchOnly: boolean;
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
 * When ./config is the config directory, the platform config directory's files are still
 * read for telemetry_disabled, so a person's off switch holds in every project folder.
 * Throws ConfigError on anything invalid; the agent must not start then.
 */
export function loadConfig(opts: { cwd: string; env: NodeJS.ProcessEnv; configPath?: string; configDir?: string }): LoadedConfig {
  const cwd = resolve(opts.cwd);
  const chosen = opts.configDir !== undefined ? { dir: resolve(cwd, opts.configDir), local: false } : chooseConfigDir(cwd);
  const runMode = runModeOf(opts.env);

  const layers: Layer[] = [];
  if (chosen.local) {
    for (const name of LAYER_NAMES(runMode))
      layers.push({ file: join(platformConfigDir(), name), optional: true, mayBeShared: false, offSwitchOnly: true });
  }
  for (const name of LAYER_NAMES(runMode))
    layers.push({ file: join(chosen.dir, name), optional: true, mayBeShared: chosen.local, offSwitchOnly: false });
  if (opts.configPath !== undefined)
    layers.push({ file: resolve(cwd, opts.configPath), optional: false, mayBeShared: false, offSwitchOnly: false });

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

  const shared: LoadedConfig['shared'] = [];
  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.file)) continue; // RUN_MODE=local or --config-path naming a layered file
    seen.add(layer.file);
    const display = displayPath(cwd, layer.file);
    const read = readConfigLayer(layer.file, display, layer);
    if (read === null) continue;
    if (read.shared !== null) shared.push({ file: display, ...read.shared });
    else if (!layer.offSwitchOnly) files.push(display);
    for (const leaf of read.leaves) {
      if (layer.offSwitchOnly && !(leaf.path === 'telemetry_disabled' && leaf.value === true)) continue;
      apply(leaf, display, display);
    }
  }
  for (const { name, raw: text, leaf } of readConfigEnv(opts.env)) apply(leaf, name, `${name}=${text}`);
  if (disabledBy.length > 0) setPath(raw, 'telemetry_disabled', true);

  const parsed = ConfigSchema.safeParse(raw);
  // Each leaf was checked already; this guards the table and the schema drifting apart.
  if (!parsed.success) throw new ConfigError({ source: 'merged configuration', problem: parsed.error.message });
  return { config: parsed.data, files, runMode, disabledBy, sources, shared };
}

export { defaultConfig };
