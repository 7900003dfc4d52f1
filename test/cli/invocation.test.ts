import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { candorCommand, candorProgram, shellQuote } from '../../main/cli/invocation.js';
import { APP_ROOT } from '../../main/version.js';

// Commands Candor suggests must run when typed: `candor` only when that is this Candor
// on PATH, `npx candor` where npm resolves it to this package, else the full path.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-invocation-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const CLI = join(APP_ROOT, 'dist/main/cli.js');
const bareNode = `${shellQuote(process.execPath)} ${shellQuote(CLI)}`;

describe.skipIf(process.platform === 'win32')('candorProgram', () => {
  it('`candor` when the candor on PATH is this one (a global install links to cli.js)', () => {
    mkdirSync(join(dir, 'bin'));
    symlinkSync(CLI, join(dir, 'bin', 'candor'));
    expect(candorProgram({ env: { PATH: join(dir, 'bin') }, cwd: dir })).toBe('candor');
  });

  it('not `candor` when the first candor on PATH is some other program', () => {
    for (const name of ['other', 'ours']) mkdirSync(join(dir, name));
    writeFileSync(join(dir, 'other', 'candor'), '#!/bin/sh\necho another candor\n');
    chmodSync(join(dir, 'other', 'candor'), 0o755);
    symlinkSync(CLI, join(dir, 'ours', 'candor'));
    const PATH = [join(dir, 'other'), join(dir, 'ours')].join(':');
    expect(candorProgram({ env: { PATH }, cwd: dir })).toBe(bareNode);
  });

  it('`npx candor` in this checkout (npm ci puts no candor on PATH), also from a subfolder', () => {
    expect(candorProgram({ env: { PATH: '/usr/bin:/bin' }, cwd: APP_ROOT })).toBe('npx candor');
    expect(candorProgram({ env: { PATH: '/usr/bin:/bin' }, cwd: join(APP_ROOT, 'docs') })).toBe('npx candor');
  });

  it('`npx candor` in a project that has this Candor installed', () => {
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"app"}');
    symlinkSync(CLI, join(dir, 'node_modules', '.bin', 'candor'));
    mkdirSync(join(dir, 'src'));
    expect(candorProgram({ env: { PATH: '/usr/bin:/bin' }, cwd: join(dir, 'src') })).toBe('npx candor');
  });

  it('the full path elsewhere: there `npx candor` could fetch an unrelated package', () => {
    writeFileSync(join(dir, 'package.json'), '{"name":"app"}');
    expect(candorProgram({ env: { PATH: '/usr/bin:/bin' }, cwd: dir })).toBe(bareNode);
  });
});

describe.skipIf(process.platform === 'win32')('candorCommand', () => {
  it('names --data-dir only when a plain command would reach another data directory, quoted for the shell', () => {
    const env = { PATH: '/usr/bin:/bin', CANDOR_DATA_DIR: join(dir, 'data') };
    expect(candorCommand('status', { env, cwd: APP_ROOT, dataDir: join(dir, 'data') })).toBe('npx candor status');
    expect(candorCommand('status', { env, cwd: APP_ROOT, dataDir: join(dir, 'my data') })).toBe(
      `npx candor --data-dir '${join(dir, 'my data')}' status`,
    );
  });
});
