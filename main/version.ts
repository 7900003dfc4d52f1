import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Found by walking up, so it works from main/ (tests) and dist/main/ (built) alike.
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'candor') return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('candor: package.json not found above ' + fileURLToPath(import.meta.url));
}

export const APP_ROOT = findPackageRoot();
export const VERSION: string = (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const USER_AGENT = `Candor/${VERSION}`;
