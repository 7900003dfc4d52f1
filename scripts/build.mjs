// Build: tsc for main/ (ESM, file per file), esbuild for the renderer bundle and the
// sandboxed preload (which must be a single CommonJS file), then static assets.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// No wipe of dist/: tests running child processes from it may be mid-flight; tsc overwrites.
rmSync(join(dist, 'renderer'), { recursive: true, force: true });

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (existsSync(join(dist, 'main/cli.js'))) chmodSync(join(dist, 'main/cli.js'), 0o755);
// Generated protobuf code is JavaScript (protobufjs-cli emits .js + .d.ts): tsc does not copy it.
cpSync(join(root, 'main/intake/generated/otlp.js'), join(dist, 'main/intake/generated/otlp.js'));

// Precompiled payload validators (local and wire): compiling at run time costs ~130 ms.
{
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  const { compilePayloadValidator, LOCAL_SCHEMA_ID, WIRE_SCHEMA_ID } = await import(join(dist, 'main/report/validator-setup.js'));
  const { ajv } = compilePayloadValidator({ source: true });
  const code = standaloneCode(ajv, { local: LOCAL_SCHEMA_ID, wire: WIRE_SCHEMA_ID });
  // ajv's ESM output would require() format checkers; formats are off (patterns decide).
  if (code.includes('require(')) throw new Error('payload validator needs require(): check validator-setup.ts');
  writeFileSync(join(dist, 'main/report/payload-validator.js'), code);
}

const renderer = join(root, 'renderer');
if (existsSync(join(renderer, 'main.ts'))) {
  await build({
    entryPoints: [join(renderer, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(dist, 'renderer/main.js'),
    sourcemap: true,
    logLevel: 'warning',
  });
  mkdirSync(join(dist, 'renderer'), { recursive: true });
  for (const file of ['index.html', 'styles.css']) {
    if (existsSync(join(renderer, file))) cpSync(join(renderer, file), join(dist, 'renderer', file));
  }
}
// The collector's dashboard: one bundle, its page and its styles (served with a strict CSP).
const dashboard = join(root, 'collector/dashboard');
if (existsSync(join(dashboard, 'main.ts'))) {
  const out = join(dist, 'collector/dashboard');
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: [join(dashboard, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(out, 'dashboard.js'),
    logLevel: 'warning',
  });
  cpSync(join(dashboard, 'index.html'), join(out, 'index.html'));
  cpSync(join(dashboard, 'styles.css'), join(out, 'dashboard.css'));
}
const preload = join(root, 'main/desktop/preload.ts');
if (existsSync(preload)) {
  await build({
    entryPoints: [preload],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    external: ['electron'],
    outfile: join(dist, 'main/desktop/preload.cjs'),
    logLevel: 'warning',
  });
}
