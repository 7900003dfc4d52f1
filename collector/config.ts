import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../main/control/config-load.js';
import { isHttpUrl, parseListen, type CollectorConfig } from '../main/control/config-schema.js';
import { resolveDataDir } from '../main/control/paths.js';

// The collector's settings: the `collector:` section of the same layered config as the
// agent (config/config.yaml, config/$RUN_MODE.yaml, config/local.yaml, --config-path,
// CANDOR__COLLECTOR__... variables), then its own flags on top.
//
// Its files live in a `collector` folder of the data dir found by the agent's rule
// (--data-dir, then CANDOR_DATA_DIR, then the platform's data dir), so an agent and a
// collector on one machine, or given one CANDOR_DATA_DIR, never mix their files.

export const COLLECTOR_SUBDIR = 'collector';

export interface CollectorFlags {
  listen?: string;
  dataDir?: string;
  clickhouse?: string;
  configPath?: string;
}

export interface CollectorSettings {
  config: CollectorConfig;
  host: string;
  port: number;
  /** The collector's own directory (DuckDB file, admin token). */
  dir: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

export function collectorSettings(flags: CollectorFlags, env: NodeJS.ProcessEnv, cwd: string): CollectorSettings {
  const loaded = loadConfig({ cwd, env, configPath: flags.configPath });
  const config = { ...loaded.config.collector, clickhouse: { ...loaded.config.collector.clickhouse } };
  if (flags.listen !== undefined) config.listen = flags.listen;
  if (flags.clickhouse !== undefined) config.clickhouse.url = flags.clickhouse;
  const listen = parseListen(config.listen);
  if (listen === null) throw new ConfigError({ source: '--listen', problem: `expected HOST:PORT, got ${JSON.stringify(config.listen)}` });
  if (flags.clickhouse !== undefined && !isHttpUrl(flags.clickhouse)) {
    throw new ConfigError({
      source: '--clickhouse',
      problem: `expected ClickHouse's HTTP interface as an http:// or https:// URL without user:password (use collector.clickhouse.user/password), got ${JSON.stringify(flags.clickhouse)}`,
    });
  }
  const base = resolveDataDir({ flag: flags.dataDir, env });
  try {
    if (!statSync(base).isDirectory()) throw new ConfigError({ source: '--data-dir', problem: `${base} exists and is not a directory` });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ConfigError({ source: '--data-dir', problem: `${base}: ${(error as Error).message}` });
  }
  return { config, host: listen.host, port: listen.port, dir: join(base, COLLECTOR_SUBDIR), logLevel: loaded.config.log.level };
}
