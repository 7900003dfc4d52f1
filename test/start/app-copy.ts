import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROOT } from '../../main/version.js';

// A throwaway copy of the app for running scripts/start.mjs: its own copy of the
// electron package (so the download lands there, never in the shared node_modules),
// every other dependency and dist/ linked to the real ones.

export interface AppCopy {
  /** The copy's root: what start.mjs passes to Electron as the app directory. */
  root: string;
  startScript: string;
  electronDir: string;
  /** A scratch directory beside the copy (data, cache, the stand-in's argv file). */
  scratch: string;
  cleanup(): void;
}

export function makeAppCopy(): AppCopy {
  const base = mkdtempSync(join(tmpdir(), 'candor-start-'));
  const root = join(base, 'app');
  const scratch = join(base, 'scratch');
  mkdirSync(join(root, 'scripts'), { recursive: true });
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  mkdirSync(scratch);
  copyFileSync(join(APP_ROOT, 'package.json'), join(root, 'package.json'));
  copyFileSync(join(APP_ROOT, 'scripts/start.mjs'), join(root, 'scripts/start.mjs'));
  symlinkSync(join(APP_ROOT, 'dist'), join(root, 'dist'), 'dir');

  const modules = realpathSync(join(APP_ROOT, 'node_modules'));
  for (const name of readdirSync(modules)) {
    if (name === 'electron' || name.startsWith('.')) continue;
    symlinkSync(join(modules, name), join(root, 'node_modules', name), 'dir');
  }
  const electronDir = join(root, 'node_modules/electron');
  // Only the package as npm installed it: a binary downloaded into the real one is not copied.
  const skip = new Set([join(modules, 'electron/dist'), join(modules, 'electron/path.txt')]);
  cpSync(join(modules, 'electron'), electronDir, { recursive: true, filter: (source) => !skip.has(source) });
  return {
    root,
    startScript: join(root, 'scripts/start.mjs'),
    electronDir,
    scratch,
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
