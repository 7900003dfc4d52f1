import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  afterPack: string;
  extraResources: { from: string; to: string; filter: string[] }[];
  linux: { target: string[]; executableName: string };
  win: { target: string[] };
  mac: { target: string[] };
}
type FuseConfigFn = (platform: string) => Record<string, unknown>;
type AfterPack = ((context: unknown) => Promise<void>) & { fuseConfig: FuseConfigFn; electronBinary(context: unknown): string };

const config = require('../../build/electron-builder.config.cjs') as BuilderConfig;
const afterPack = require('../../build/after-pack.cjs') as AfterPack;
// Copied before electron-builder's getConfig, which normalizes the shared module object in place.
const filePatterns = [...config.files];

describe('electron-builder config', () => {
  it('names the app and its targets', () => {
    expect(config.appId).toBe('dev.candor.agent');
    expect(config.productName).toBe('Candor');
    expect(config.asar).toBe(true);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(existsSync(join(root, config.afterPack))).toBe(true);
  });

  it('passes electron-builder’s own schema validation', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      getConfig(dir: string, path: string, extra: null): Promise<unknown>;
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const loaded = await getConfig(root, join(root, 'build/electron-builder.config.cjs'), null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('packs only the built app: no sources, tests, maps or build scripts', () => {
    // electron-builder's own matcher, fed the config's patterns.
    const { FileMatcher } = require('app-builder-lib/out/fileMatcher.js') as {
      FileMatcher: new (
        from: string,
        to: string,
        expand: (p: string) => string,
        patterns: string[],
      ) => { createFilter(): (file: string, stat: unknown) => boolean };
    };
    const filter = new FileMatcher(root, '/out', (p) => p, filePatterns).createFilter();
    const stat = (dir: boolean) => ({ isDirectory: () => dir, isFile: () => !dir, isSymbolicLink: () => false });
    const packed = (path: string, dir = false) => filter(join(root, path), stat(dir));
    for (const path of [
      'package.json',
      'dist/main/desktop/main.js',
      'dist/main/desktop/preload.cjs',
      'dist/renderer/index.html',
      'dist/renderer/main.js',
    ]) {
      expect(packed(path), path).toBe(true);
    }
    for (const path of [
      'main/agent.ts',
      'renderer/main.ts',
      'test/desktop/tray-menu.test.ts',
      'build/after-pack.cjs',
      'scripts/build.mjs',
      'dist/main/agent.js.map',
      'dist/renderer/main.js.map',
      'tsconfig.json',
    ]) {
      expect(packed(path), path).toBe(false);
    }
    for (const dir of ['test', 'main', 'renderer', 'bench', 'dist/test']) expect(packed(dir, true), dir).toBe(false);
  });

  it('ships the tray icons as resources', () => {
    expect(config.extraResources).toEqual([{ from: 'build/icons', to: 'icons', filter: ['tray-*.png', 'icon.png'] }]);
  });
});

describe('afterPack fuses', () => {
  it('turns off Node entry points and turns on asar-only loading and cookie encryption', () => {
    const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, number> };
    for (const platform of ['linux', 'win32', 'darwin']) {
      const fuses = afterPack.fuseConfig(platform);
      expect(fuses[String(FuseV1Options['RunAsNode'])], platform).toBe(false);
      expect(fuses[String(FuseV1Options['EnableNodeOptionsEnvironmentVariable'])]).toBe(false);
      expect(fuses[String(FuseV1Options['EnableNodeCliInspectArguments'])]).toBe(false);
      expect(fuses[String(FuseV1Options['OnlyLoadAppFromAsar'])]).toBe(true);
      expect(fuses[String(FuseV1Options['EnableCookieEncryption'])]).toBe(true);
      expect(fuses[String(FuseV1Options['GrantFileProtocolExtraPrivileges'])]).toBe(false);
      expect(fuses[String(FuseV1Options['EnableEmbeddedAsarIntegrityValidation'])]).toBe(platform !== 'linux');
    }
  });

  it('finds the Electron executable per platform', () => {
    const context = (platform: string) => ({
      appOutDir: '/out',
      electronPlatformName: platform,
      packager: { appInfo: { productFilename: 'Candor' }, executableName: platform === 'linux' ? 'candor' : undefined },
    });
    expect(afterPack.electronBinary(context('darwin'))).toBe(join('/out', 'Candor.app'));
    expect(afterPack.electronBinary(context('win32'))).toBe(join('/out', 'Candor.exe'));
    expect(afterPack.electronBinary(context('linux'))).toBe(join('/out', 'candor'));
  });
});

describe('icons', () => {
  function pngSize(path: string): [number, number] {
    const bytes = readFileSync(path);
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  }

  it('has three tray states at 1x and 2x, and a 512x512 app icon', () => {
    for (const state of ['sending', 'paused', 'off']) {
      expect(pngSize(join(root, `build/icons/tray-${state}.png`))).toEqual([16, 16]);
      expect(pngSize(join(root, `build/icons/tray-${state}@2x.png`))).toEqual([32, 32]);
    }
    expect(pngSize(join(root, 'build/icons/icon.png'))).toEqual([512, 512]);
    const states = ['sending', 'paused', 'off'].map((s) => readFileSync(join(root, `build/icons/tray-${s}.png`)).toString('hex'));
    expect(new Set(states).size).toBe(3);
  });
});
