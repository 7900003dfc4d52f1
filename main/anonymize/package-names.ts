import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// npm packages that may be named in a stack frame: the popular public ones (the
// npm-high-impact list: packages with many downloads or dependents). A package that is
// not on it (`@contoso/billing`, a fork, a private registry's) may name an organisation
// and leaves as `<package>`. The list is about 400 kB of source, so it is read on first
// use, not when this module loads.

let popular: ReadonlySet<string> | undefined;

function load(): ReadonlySet<string> {
  const require = createRequire(import.meta.url);
  // The package's entry point also loads two larger lists this does not need; its
  // `exports` hides lib/top.js, so the file is required by its path.
  const dir = dirname(require.resolve('npm-high-impact'));
  const mod = require(join(dir, 'lib', 'top.js')) as { top?: unknown };
  const names = Array.isArray(mod.top) ? mod.top.filter((n): n is string => typeof n === 'string') : [];
  if (names.length === 0) throw new Error(`npm-high-impact: ${join(dir, 'lib', 'top.js')} holds no package names`);
  return new Set(names);
}

/** Whether `name` (`express`, `@babel/core`) is on the list of popular public npm packages. */
export function isPopularPackage(name: string): boolean {
  popular ??= load();
  return popular.has(name);
}

/** How many names the list holds (loads it). */
export function popularPackageCount(): number {
  popular ??= load();
  return popular.size;
}
