import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';

// suffix '' so the folders are plain "candor", not env-paths' default "candor-nodejs".
const platformPaths = envPaths('candor', { suffix: '' });

/** Where the user's state lives (settings, outbox, history): --data-dir > CANDOR_DATA_DIR > platform data dir. */
export function resolveDataDir(opts: { flag?: string; env: NodeJS.ProcessEnv }): string {
  if (opts.flag !== undefined && opts.flag !== '') return resolve(opts.flag);
  const fromEnv = opts.env['CANDOR_DATA_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return platformPaths.data;
}

/** The platform's config directory for Candor (the desktop app's only config directory). */
export function platformConfigDir(): string {
  return platformPaths.config;
}

/**
 * Operator config directory: ./config under cwd when it is a directory (`local`: a
 * folder other tools may share, see config-yaml.ts readConfigLayer), else the platform
 * config dir.
 */
export function chooseConfigDir(cwd: string): { dir: string; local: boolean } {
  const local = join(resolve(cwd), 'config');
  try {
    if (statSync(local).isDirectory()) return { dir: local, local: true };
  } catch {
    // Missing or unreadable: fall through to the platform directory.
  }
  return { dir: platformPaths.config, local: false };
}

export function resolveConfigDir(cwd: string): string {
  return chooseConfigDir(cwd).dir;
}
