import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles a child program into one ESM file in `outDir`. Bundled rather than run from
 * dist/: one file starts several times faster than dist's module graph (the SIGKILL
 * loop starts hundreds of children), and a parallel rebuild of dist/ cannot swap files
 * under a child. The code under test is the same source either way.
 */
export async function bundleChild(entry: string, outDir: string, name: string): Promise<string> {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    // Some bundled dependencies are CommonJS and call require().
    banner: { js: "import { createRequire as __candorRequire } from 'node:module'; const require = __candorRequire(import.meta.url);" },
  });
  return outfile;
}
