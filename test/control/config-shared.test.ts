import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type LoadedConfig } from '../../main/control/config-load.js';
import { effectiveState } from '../../main/control/effective-state.js';
import { tempDir, writeFiles } from './helpers.js';

// ./config is a folder other tools share (node-config keeps production.yaml and
// local.yaml there). A file with another tool's top-level keys is that tool's: Candor
// reads only its telemetry_disabled, and never misses that off switch.

let cwd: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: cwd, cleanup } = tempDir());
});
afterEach(() => cleanup());

const NODE_CONFIG_PRODUCTION = 'db:\n  host: db.internal\n  port: 5432\nlog:\n  level: verbose\nserver:\n  port: 8080\n';

const load = (files: Record<string, string>, env: NodeJS.ProcessEnv = {}, configPath?: string): LoadedConfig => {
  writeFiles(cwd, files);
  return loadConfig({ cwd, env, configPath });
};

const reasons = (loaded: LoadedConfig): string[] =>
  effectiveState(loaded, {}, { argvDisableTelemetry: false, pausedUntilRestart: false }, settingsGranted, new Date()).reasons;

const settingsGranted = {
  schema_version: 1,
  consent: { state: 'granted', at: '2026-01-01T00:00:00.000Z' },
  user_disabled: { value: false, at: null },
  paused_until: null,
  recovered: null,
  ui: { theme: 'system', preview_level: 2 },
} as unknown as Parameters<typeof effectiveState>[3];

describe("a file in ./config with another tool's keys", () => {
  it("is left to its owner: node-config's production.yaml loads, nothing of it is taken", () => {
    const loaded = load({ 'config/production.yaml': NODE_CONFIG_PRODUCTION });
    // Its `log.level: verbose` is node-config's, not an invalid Candor log level.
    expect(loaded.config.log.level).toBe('info');
    expect(loaded.files).toEqual([]);
    expect(loaded.shared).toEqual([{ file: 'config/production.yaml', foreign: ['db', 'server'], ignored: ['log'] }]);
    expect(loaded.disabledBy).toEqual([]);
  });

  it('still switches Candor off with telemetry_disabled: true, naming the file', () => {
    const loaded = load({ 'config/production.yaml': `${NODE_CONFIG_PRODUCTION}telemetry_disabled: true\n` });
    expect(loaded.config.telemetry_disabled).toBe(true);
    expect(loaded.disabledBy).toEqual(['config/production.yaml']);
    expect(reasons(loaded)).toContain('telemetry_disabled: true in config/production.yaml');
  });

  it("Candor's own config.yaml beside it keeps working, its off switch included", () => {
    const loaded = load({
      'config/config.yaml': 'telemetry_disabled: true\ntelemetry:\n  interval_s: 600\n',
      'config/production.yaml': NODE_CONFIG_PRODUCTION,
    });
    expect(loaded.files).toEqual(['config/config.yaml']);
    expect(loaded.config.telemetry.interval_s).toBe(600);
    expect(loaded.disabledBy).toEqual(['config/config.yaml']);
  });

  it('checks the off switch it reads: a value that is not a boolean is an error naming the file and line', () => {
    expect(() => load({ 'config/local.yaml': 'db:\n  host: x\ntelemetry_disabled: "yes"\n' })).toThrow(
      /config\/local\.yaml:3: telemetry_disabled: expected true or false, got "yes"/,
    );
  });

  it.each(['telemetry_disable', 'Telemetry_Disabled', 'telemetry-disabled', 'telemtry'])(
    "a near miss of an off-switch key (%s) is a typo, never another tool's key",
    (key) => {
      let error: unknown = null;
      try {
        load({ 'config/production.yaml': `db:\n  host: x\n${key}: true\n` });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ source: 'config/production.yaml', line: 3, key });
    },
  );

  it("an app's own unrelated telemetry_enabled key is that app's", () => {
    expect(load({ 'config/production.yaml': 'telemetry_enabled: false\n' }).shared).toHaveLength(1);
  });

  it('a file of only Candor keys stays strict: a bad value is still an error', () => {
    expect(() => load({ 'config/production.yaml': 'log:\n  level: verbose\n' })).toThrow(ConfigError);
  });

  it("--config-path is always Candor's file: a foreign key there is an error", () => {
    expect(() => load({ 'extra.yaml': 'db:\n  host: x\n' }, {}, 'extra.yaml')).toThrow(/extra\.yaml:1: db: unknown key/);
  });

  it('broken YAML is an error whoever owns the file', () => {
    expect(() => load({ 'config/production.yaml': 'db:\n  host: [x\n' })).toThrow(/config\/production\.yaml.*not valid YAML/);
  });
});
