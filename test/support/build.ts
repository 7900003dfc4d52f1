import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROOT } from '../../main/version.js';

// Tests that run the built code in child processes need dist/ to match the sources.
// `npm test` builds first; this rebuilds only when a source is newer than the build,
// so parallel test files do not rebuild under each other's feet.

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|html|css)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function buildOnce(): void {
  let built = 0;
  try {
    built = statSync(join(APP_ROOT, 'dist/main/cli.js')).mtimeMs;
  } catch {
    built = 0;
  }
  const sources = Math.max(
    newestMtime(join(APP_ROOT, 'main')),
    newestMtime(join(APP_ROOT, 'renderer')),
    newestMtime(join(APP_ROOT, 'collector')),
    statSync(join(APP_ROOT, 'scripts/build.mjs')).mtimeMs,
  );
  if (built > 0 && built >= sources) return;
  execFileSync(process.execPath, [join(APP_ROOT, 'scripts/build.mjs')], { cwd: APP_ROOT, stdio: 'inherit' });
}
