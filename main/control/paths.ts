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

/** Operator config directory: ./config under cwd when it is a directory, else the platform config dir. */
export function resolveConfigDir(cwd: string): string {
  const local = join(resolve(cwd), 'config');
  try {
    if (statSync(local).isDirectory()) return local;
  } catch {
    // Missing or unreadable: fall through to the platform directory.
  }
  return platformPaths.config;
}
