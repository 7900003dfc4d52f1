import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type LoadedConfig } from '../../main/control/config-load.js';
import { defaultConfig } from '../../main/control/config-schema.js';
import { tempDir, writeFiles } from './helpers.js';

let cwd: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: cwd, cleanup } = tempDir());
});
afterEach(() => cleanup());

const load = (files: Record<string, string>, env: NodeJS.ProcessEnv = {}, configPath?: string): LoadedConfig => {
  writeFiles(cwd, files);
  return loadConfig({ cwd, env, configPath });
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('loadConfig layering', () => {
  it('uses the built-in defaults when there are no files and no variables', () => {
    mkdirSync(join(cwd, 'config'));
    const loaded = loadConfig({ cwd, env: {} });
    expect(loaded.config).toEqual(defaultConfig());
    expect(loaded.config.telemetry).toMatchObject({
      endpoint: null,
      interval_s: 3600,
      first_delay_s: 300,
      details_level: 2,
      consent: null,
    });
    expect(loaded.config.sampling.interval_s).toBe(10);
    expect(loaded.config.service.http_port).toBe(6334);
    expect(loaded.config.log.level).toBe('info');
    expect(loaded.files).toEqual([]);
    expect(loaded.runMode).toBe('production');
    expect(loaded.disabledBy).toEqual([]);
    expect(loaded.sources['telemetry.interval_s']).toBe('built-in default');
  });

  it('layers config.yaml -> $RUN_MODE.yaml -> local.yaml -> --config-path -> environment, key by key', () => {
    const loaded = load(
      {
        'config/config.yaml': 'telemetry:\n  interval_s: 100\n  first_delay_s: 1\n  details_level: 1\nlog:\n  level: debug\n',
        'config/staging.yaml': 'telemetry:\n  interval_s: 200\n  first_delay_s: 2\n',
        'config/production.yaml': 'telemetry:\n  interval_s: 999\n',
        'config/local.yaml': 'telemetry:\n  first_delay_s: 3\n',
        'extra.yaml': 'sampling:\n  interval_s: 5\n',
      },
      { RUN_MODE: 'staging', CANDOR__SERVICE__HTTP_PORT: '0', CANDOR__TELEMETRY__INTERVAL_S: '600' },
      'extra.yaml',
    );
    expect(loaded.runMode).toBe('staging');
    expect(loaded.files).toEqual(['config/config.yaml', 'config/staging.yaml', 'config/local.yaml', 'extra.yaml']);
    expect(loaded.config.telemetry.interval_s).toBe(600);
    expect(loaded.config.telemetry.first_delay_s).toBe(3);
    expect(loaded.config.telemetry.details_level).toBe(1);
    expect(loaded.config.sampling.interval_s).toBe(5);
    expect(loaded.config.service.http_port).toBe(0);
    expect(loaded.config.log.level).toBe('debug');
    expect(loaded.sources).toMatchObject({
      'telemetry.interval_s': 'CANDOR__TELEMETRY__INTERVAL_S',
      'telemetry.first_delay_s': 'config/local.yaml:2',
      'telemetry.details_level': 'config/config.yaml:4',
      'sampling.interval_s': 'extra.yaml:2',
      'log.level': 'config/config.yaml:6',
    });
  });

  it('reads an explicit configDir and accepts null, ~ and empty values for nullable keys', () => {
    writeFiles(cwd, {
      'elsewhere/config.yaml':
        'telemetry:\n  endpoint: https://t.example.com/v1\n  privacy_contact: privacy@example.com\n  consent: granted\n',
      'elsewhere/local.yaml': 'telemetry:\n  privacy_contact: ~\n  deletion_endpoint:\n',
    });
    const explicit = loadConfig({ cwd, env: {}, configDir: 'elsewhere' });
    expect(explicit.config.telemetry).toMatchObject({
      endpoint: 'https://t.example.com/v1',
      privacy_contact: null,
      deletion_endpoint: null,
      consent: 'granted',
    });
  });

  it('accepts an empty file and empty sections', () => {
    const loaded = load({ 'config/config.yaml': '', 'config/local.yaml': '# nothing yet\ntelemetry:\n' });
    expect(loaded.files).toEqual(['config/config.yaml', 'config/local.yaml']);
    expect(loaded.config).toEqual(defaultConfig());
  });

  it('allows http only for loopback endpoints', () => {
    for (const ok of ['http://127.0.0.1:9000/t', 'http://localhost/t', 'http://[::1]:8080/', 'https://collector.example.org/in']) {
      expect(load({ 'config/local.yaml': `telemetry:\n  endpoint: "${ok}"\n` }).config.telemetry.endpoint).toBe(ok);
    }
    for (const bad of ['http://collector.example.org/in', 'ftp://127.0.0.1/', 'https://user:pw@example.org/', 'not a url']) {
      const error = configError(() => load({ 'config/local.yaml': `telemetry:\n  deletion_endpoint: "${bad}"\n` }));
      expect(error.key).toBe('telemetry.deletion_endpoint');
      expect(error.message).toMatch(/https:\/\/ URL/);
    }
  });
});

describe('telemetry_disabled: no lower or later source switches it back on', () => {
  it('config.yaml true + local.yaml false -> disabled, naming config.yaml', () => {
    const loaded = load({ 'config/config.yaml': 'telemetry_disabled: true\n', 'config/local.yaml': 'telemetry_disabled: false\n' });
    expect(loaded.config.telemetry_disabled).toBe(true);
    expect(loaded.disabledBy).toEqual(['config/config.yaml']);
  });

  it('env false + config true -> disabled', () => {
    const loaded = load({ 'config/production.yaml': 'telemetry_disabled: true\n' }, { CANDOR__TELEMETRY_DISABLED: 'false' });
    expect(loaded.config.telemetry_disabled).toBe(true);
    expect(loaded.disabledBy).toEqual(['config/production.yaml']);
  });

  it('--config-path false cannot undo the environment, and every true source is listed', () => {
    const loaded = load(
      { 'config/config.yaml': 'telemetry_disabled: true\n', 'mine.yaml': 'telemetry_disabled: false\n' },
      { CANDOR__TELEMETRY_DISABLED: 'YES' },
      'mine.yaml',
    );
    expect(loaded.config.telemetry_disabled).toBe(true);
    expect(loaded.disabledBy).toEqual(['config/config.yaml', 'CANDOR__TELEMETRY_DISABLED=YES']);
  });

  it.each(['true', 'TRUE', '1', 'yes', 'Yes'])('CANDOR__TELEMETRY_DISABLED=%s disables and is recorded as given', (value) => {
    const loaded = load({}, { CANDOR__TELEMETRY_DISABLED: value });
    expect(loaded.config.telemetry_disabled).toBe(true);
    expect(loaded.disabledBy).toEqual([`CANDOR__TELEMETRY_DISABLED=${value}`]);
  });

  it.each(['false', '0', 'no', 'NO'])('CANDOR__TELEMETRY_DISABLED=%s leaves it off', (value) => {
    expect(load({}, { CANDOR__TELEMETRY_DISABLED: value }).config.telemetry_disabled).toBe(false);
  });
});

describe('config errors name the source, line, key and expectation', () => {
  it('bad YAML, with its line', () => {
    const error = configError(() =>
      load({ 'config/config.yaml': 'telemetry:\n  interval_s: 100\n  endpoint: [unclosed\nlog:\n  level: info\n' }),
    );
    expect(error.source).toBe('config/config.yaml');
    expect(error.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/^invalid configuration: config\/config\.yaml:\d+: not valid YAML/);
  });

  it('a duplicate key is bad YAML too', () => {
    const error = configError(() => load({ 'config/local.yaml': 'log:\n  level: info\n  level: debug\n' }));
    expect(error.source).toBe('config/local.yaml');
    expect(error.line).toBe(3);
  });

  it('an unknown key, with its line and a suggestion', () => {
    const error = configError(() => load({ 'config/production.yaml': '# comment\ntelemetry:\n  interval_s: 600\n  intervall_s: 600\n' }));
    expect(error).toMatchObject({ source: 'config/production.yaml', line: 4, key: 'telemetry.intervall_s' });
    expect(error.message).toContain('unknown key (did you mean telemetry.interval_s?)');
  });

  it('an unknown top-level key and an unknown section', () => {
    expect(configError(() => load({ 'config/config.yaml': 'telemetry_disable: true\n' }))).toMatchObject({
      line: 1,
      key: 'telemetry_disable',
    });
    // In a --config-path file (Candor's alone); in ./config it would be another tool's key (config-shared.test.ts).
    expect(
      configError(() => load({ 'config/config.yaml': '', 'extra.yaml': 'log:\n  level: info\nnetwork:\n  proxy: x\n' }, {}, 'extra.yaml')),
    ).toMatchObject({
      line: 3,
      key: 'network',
    });
  });

  it('a wrong type, with the value line', () => {
    const error = configError(() => load({ 'config/local.yaml': 'telemetry:\n  interval_s: "600"\n' }));
    expect(error).toMatchObject({ source: 'config/local.yaml', line: 2, key: 'telemetry.interval_s' });
    expect(error.message).toContain('expected an integer from 60 to 604800 (seconds), got "600"');
    // YAML 1.2: "yes" is text, not a boolean.
    expect(configError(() => load({ 'config/local.yaml': 'telemetry_disabled: yes\n' })).message).toContain(
      'expected true or false, got "yes"',
    );
    expect(configError(() => load({ 'config/local.yaml': 'telemetry: 5\n' })).message).toContain('telemetry must be a mapping');
    expect(configError(() => load({ 'config/local.yaml': '- a\n- b\n' })).message).toContain('the top level must be a mapping');
  });

  it.each([
    ['telemetry:\n  interval_s: 59\n', 'telemetry.interval_s', 'got 59'],
    ['telemetry:\n  details_level: 5\n', 'telemetry.details_level', 'an integer from 0 to 4'],
    ['telemetry:\n  first_delay_s: -1\n', 'telemetry.first_delay_s', 'got -1'],
    ['sampling:\n  interval_s: 3601\n', 'sampling.interval_s', 'from 1 to 3600'],
    ['service:\n  http_port: 70000\n', 'service.http_port', 'from 0 to 65535'],
    ['service:\n  http_port: 80.5\n', 'service.http_port', 'got 80.5'],
    ['log:\n  level: verbose\n', 'log.level', 'error, warn, info or debug'],
    ['telemetry:\n  consent: yes-please\n', 'telemetry.consent', 'granted, revoked or null'],
  ])('out of range: %j', (text, key, fragment) => {
    const error = configError(() => load({ 'config/config.yaml': text }));
    expect(error).toMatchObject({ source: 'config/config.yaml', line: 2, key });
    expect(error.message).toContain(fragment);
  });

  it('a bad boolean in the environment names the variable', () => {
    const error = configError(() => load({}, { CANDOR__TELEMETRY_DISABLED: 'maybe' }));
    expect(error).toMatchObject({ source: 'CANDOR__TELEMETRY_DISABLED', line: null, key: 'telemetry_disabled' });
    expect(error.message).toBe(
      'invalid configuration: CANDOR__TELEMETRY_DISABLED: telemetry_disabled: expected true, false, 1, 0, yes or no, got "maybe"',
    );
  });

  it('bad numbers and ranges in the environment name the variable', () => {
    expect(configError(() => load({}, { CANDOR__TELEMETRY__INTERVAL_S: '10m' }))).toMatchObject({
      source: 'CANDOR__TELEMETRY__INTERVAL_S',
      key: 'telemetry.interval_s',
    });
    expect(configError(() => load({}, { CANDOR__TELEMETRY__INTERVAL_S: '30' })).message).toContain('got 30');
    expect(configError(() => load({}, { CANDOR__TELEMETRY__ENDPOINT: 'http://evil.example/' })).source).toBe('CANDOR__TELEMETRY__ENDPOINT');
  });

  it('an unknown CANDOR__ variable is an error; single-underscore CANDOR_ names are not config', () => {
    const error = configError(() => load({}, { CANDOR__TELEMETRY__INTERVAL: '600' }));
    expect(error.source).toBe('CANDOR__TELEMETRY__INTERVAL');
    expect(error.message).toContain('did you mean CANDOR__TELEMETRY__INTERVAL_S?');
    expect(() => load({}, { CANDOR_DATA_DIR: '/tmp/x', CANDOR_CHROMIUM: '/usr/bin/chromium', CANDOR_ANYTHING: 'x' })).not.toThrow();
  });

  it('a bad RUN_MODE cannot escape the config directory', () => {
    expect(configError(() => load({}, { RUN_MODE: '../../etc/passwd' })).source).toBe('RUN_MODE');
  });

  it('a directory where a file is expected', () => {
    mkdirSync(join(cwd, 'config/local.yaml'), { recursive: true });
    const error = configError(() => loadConfig({ cwd, env: {} }));
    expect(error.source).toBe('config/local.yaml');
    expect(error.message).toContain('cannot read the file: it is a directory');
  });

  it('a missing --config-path file', () => {
    const error = configError(() => load({}, {}, 'nope.yaml'));
    expect(error.source).toBe('nope.yaml');
    expect(error.message).toContain('no such file');
  });

  const isRoot = process.getuid?.() === 0;
  it.skipIf(isRoot || process.platform === 'win32')('an unreadable file (chmod 000; skipped as root, who can read anything)', () => {
    writeFiles(cwd, { 'config/config.yaml': 'telemetry_disabled: false\n' });
    chmodSync(join(cwd, 'config/config.yaml'), 0o000);
    const error = configError(() => loadConfig({ cwd, env: {} }));
    expect(error.source).toBe('config/config.yaml');
    expect(error.message).toContain('permission denied');
  });
});
