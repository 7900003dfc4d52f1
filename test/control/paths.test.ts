import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfigDir, resolveDataDir } from '../../main/control/paths.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const platform = envPaths('candor', { suffix: '' });

describe('resolveDataDir', () => {
  it('--data-dir wins over CANDOR_DATA_DIR, which wins over the platform directory', () => {
    expect(resolveDataDir({ flag: join(dir, 'a'), env: { CANDOR_DATA_DIR: join(dir, 'b') } })).toBe(join(dir, 'a'));
    expect(resolveDataDir({ env: { CANDOR_DATA_DIR: join(dir, 'b') } })).toBe(join(dir, 'b'));
    expect(resolveDataDir({ env: { CANDOR_DATA_DIR: '' } })).toBe(platform.data);
    expect(resolveDataDir({ env: {} })).toBe(platform.data);
    expect(platform.data).toMatch(/candor$/);
  });

  it('makes a relative flag absolute', () => {
    expect(resolveDataDir({ flag: 'rel/dir', env: {} })).toBe(resolve('rel/dir'));
  });
});

describe('resolveConfigDir', () => {
  it('uses ./config when it is a directory, else the platform config directory', () => {
    expect(resolveConfigDir(dir)).toBe(platform.config);
    writeFileSync(join(dir, 'config'), 'not a directory');
    expect(resolveConfigDir(dir)).toBe(platform.config);
    const other = join(dir, 'other');
    mkdirSync(join(other, 'config'), { recursive: true });
    expect(resolveConfigDir(other)).toBe(join(other, 'config'));
  });
});
