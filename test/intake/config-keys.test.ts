import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type LoadedConfig } from '../../main/control/config-load.js';
import { defaultConfig } from '../../main/control/config-schema.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// The intake's configuration keys, through the real loader: YAML layers, CANDOR__
// variables, and the per-app map `intake.sources.<service.name>.categories`.

let box: Sandbox;
beforeEach(() => {
  box = sandbox('candor-intake-config-');
});
afterEach(() => box.cleanup());

const load = (yaml: string | null, env: NodeJS.ProcessEnv = {}): LoadedConfig => {
  if (yaml !== null) box.writeConfig('config.yaml', yaml);
  return loadConfig({ cwd: box.cwd, env });
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

describe('intake keys', () => {
  it('defaults: the intake is on at 4318 (the OTLP/HTTP default every SDK sends to), nothing answered, no categories', () => {
    const { config } = load(null);
    expect(config.intake).toEqual({ otlp: { enabled: true, port: 4318 }, sources: { allow: [], deny: [], categories: {} } });
    expect(defaultConfig().intake).toEqual(config.intake);
  });

  it('reads port, enabled, allow/deny and per-app categories from YAML, naming the line each came from', () => {
    const loaded = load(
      [
        'intake:',
        '  otlp:',
        '    enabled: false',
        '    port: 14318',
        '  sources:',
        '    allow: [shop-api, billing.worker]',
        '    deny:',
        '      - noisy_app',
        '    shop-api:',
        '      categories:',
        '        http.route: [/cart, /checkout]',
        '        region: [eu, us]',
        '    billing.worker:',
        '      categories:',
        '        queue: [high, low]',
      ].join('\n'),
    );
    expect(loaded.config.intake).toEqual({
      otlp: { enabled: false, port: 14318 },
      sources: {
        allow: ['shop-api', 'billing.worker'],
        deny: ['noisy_app'],
        categories: {
          'shop-api': { 'http.route': ['/cart', '/checkout'], region: ['eu', 'us'] },
          'billing.worker': { queue: ['high', 'low'] },
        },
      },
    });
    expect(loaded.sources['intake.otlp.port']).toBe('config/config.yaml:4');
    expect(loaded.sources['intake.sources.deny']).toBe('config/config.yaml:8');
    expect(loaded.sources['intake.sources.shop-api.categories']).toBe('config/config.yaml:11');
    // Key paths are dotted; a dot inside an app name is written %2E in them.
    expect(loaded.sources['intake.sources.billing%2Eworker.categories']).toBe('config/config.yaml:15');
  });

  it('environment: CANDOR__INTAKE__OTLP__PORT, and allow/deny as comma-separated lists (empty = none)', () => {
    const { config } = load('intake:\n  sources:\n    allow: [a]\n', {
      CANDOR__INTAKE__OTLP__PORT: '0',
      CANDOR__INTAKE__OTLP__ENABLED: 'no',
      CANDOR__INTAKE__SOURCES__ALLOW: ' shop-api , billing ',
      CANDOR__INTAKE__SOURCES__DENY: '',
    });
    expect(config.intake.otlp).toEqual({ enabled: false, port: 0 });
    expect(config.intake.sources.allow).toEqual(['shop-api', 'billing']);
    expect(config.intake.sources.deny).toEqual([]);
  });

  it.each([
    ['a port out of range', 'intake:\n  otlp:\n    port: 70000\n', 'intake.otlp.port', /expected an integer from 0 to 65535/],
    ['a typo under intake.otlp', 'intake:\n  otlp:\n    prot: 4318\n', 'intake.otlp.prot', /did you mean intake\.otlp\.port\?/],
    [
      'a typo of allow (read as an app name, whose entry must be a mapping)',
      'intake:\n  sources:\n    alow: [a]\n',
      'intake.sources.alow',
      /did you mean intake\.sources\.allow\?/,
    ],
    [
      'an app name that is no service name',
      'intake:\n  sources:\n    "bob@laptop":\n      categories: {a: [b]}\n',
      'intake.sources.bob@laptop',
      /unknown key/,
    ],
    [
      'a list entry that is no service name',
      'intake:\n  sources:\n    deny: ["/home/bob/app"]\n',
      'intake.sources.deny',
      /expected a list of app names/,
    ],
    [
      'a typo under an app',
      'intake:\n  sources:\n    shop:\n      categorie: {a: [b]}\n',
      'intake.sources.shop.categorie',
      /did you mean intake\.sources\.shop\.categories\?/,
    ],
    [
      'a category key that is no safe name',
      'intake:\n  sources:\n    shop:\n      categories: {"user email": [x]}\n',
      'intake.sources.shop.categories',
      /expected a mapping of attribute key/,
    ],
    [
      'a category without values',
      'intake:\n  sources:\n    shop:\n      categories: {region: []}\n',
      'intake.sources.shop.categories',
      /1 to 200 values/,
    ],
  ])('refuses %s with the file, line and key', (_what, yaml, key, problem) => {
    const error = configError(() => load(yaml));
    expect(error.key).toBe(key);
    expect(error.source).toBe('config/config.yaml');
    expect(error.line).toBeGreaterThan(0);
    expect(error.message).toMatch(problem);
  });

  it('refuses a list variable with a bad name, naming the variable', () => {
    const error = configError(() => load(null, { CANDOR__INTAKE__SOURCES__ALLOW: 'ok,not ok' }));
    expect(error.source).toBe('CANDOR__INTAKE__SOURCES__ALLOW');
    expect(error.message).toMatch(/expected a list of app names/);
  });

  it('categories exist in YAML only: an environment variable for them is refused as unknown', () => {
    const error = configError(() => load(null, { CANDOR__INTAKE__SOURCES__SHOP__CATEGORIES: 'x' }));
    expect(error.message).toMatch(/unknown configuration variable/);
  });
});
