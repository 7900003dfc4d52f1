import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../main/control/config-load.js';
import { effectiveState, localDate } from '../../main/control/effective-state.js';
import { defaultSettings, type Settings } from '../../main/control/settings-schema.js';
import { tempDir, writeFiles } from './helpers.js';

// Local-time instants, so reasons read the same in any time zone the tests run in.
const NOW = new Date(2026, 10, 25, 12, 0, 0);
const DISABLED_AT = new Date(2026, 10, 20, 9, 30).toISOString();
const REVOKED_AT = new Date(2026, 10, 21, 18, 0).toISOString();
const PAUSE_END = new Date(2026, 10, 25, 14, 0).toISOString();

const SWITCHES = [
  'envDisabled',
  'configDisabled',
  'argv',
  'doNotTrack',
  'noEndpoint',
  'userDisabled',
  'pausedTimed',
  'pausedRestart',
  'consentMissing',
] as const;
type Switch = (typeof SWITCHES)[number];

let root: string;
let cleanup: () => void;
// Real config directories on disk, one per (configDisabled, noEndpoint) pair.
const dirs = new Map<string, string>();
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir());
  for (const disabled of [false, true]) {
    for (const noEndpoint of [false, true]) {
      const name = `d${Number(disabled)}e${Number(noEndpoint)}`;
      const lines = [
        `telemetry_disabled: ${disabled}`,
        'telemetry:',
        `  endpoint: ${noEndpoint ? 'null' : 'https://collector.example.org/v1'}`,
      ];
      writeFiles(root, { [`${name}/config/production.yaml`]: `${lines.join('\n')}\n` });
      dirs.set(name, `${root}/${name}`);
    }
  }
});
afterAll(() => cleanup());

function scenario(on: ReadonlySet<Switch>, consentFlavour: 'unset' | 'revoked') {
  const env: NodeJS.ProcessEnv = {};
  if (on.has('envDisabled')) env['CANDOR__TELEMETRY_DISABLED'] = '1';
  if (on.has('doNotTrack')) env['DO_NOT_TRACK'] = '1';
  const cwd = dirs.get(`d${Number(on.has('configDisabled'))}e${Number(on.has('noEndpoint'))}`) ?? '';
  const loaded = loadConfig({ cwd, env });
  const settings: Settings = {
    ...defaultSettings(),
    consent: on.has('consentMissing')
      ? consentFlavour === 'unset'
        ? { state: 'unset', at: null }
        : { state: 'revoked', at: REVOKED_AT }
      : { state: 'granted', at: DISABLED_AT },
    user_disabled: on.has('userDisabled') ? { value: true, at: DISABLED_AT } : { value: false, at: null },
    paused_until: on.has('pausedTimed') ? PAUSE_END : null,
  };
  const state = effectiveState(
    loaded,
    env,
    { argvDisableTelemetry: on.has('argv'), pausedUntilRestart: on.has('pausedRestart') },
    settings,
    NOW,
  );
  return state;
}

const expectedReason = (s: Switch, consentFlavour: 'unset' | 'revoked'): string =>
  ({
    envDisabled: 'CANDOR__TELEMETRY_DISABLED=1 in the environment',
    configDisabled: 'telemetry_disabled: true in config/production.yaml',
    argv: '--disable-telemetry on the command line',
    doNotTrack: 'DO_NOT_TRACK=1 in the environment',
    noEndpoint: 'no endpoint configured',
    userDisabled: 'disabled by you on 2026-11-20',
    pausedTimed: 'paused until 14:00',
    pausedRestart: 'paused until restart',
    consentMissing: consentFlavour === 'unset' ? 'no consent given yet' : 'consent revoked on 2026-11-21',
  })[s];

describe('effectiveState over every combination of switches', () => {
  for (const flavour of ['unset', 'revoked'] as const) {
    it(`2^${SWITCHES.length} combinations (consent switch = ${flavour}): sending iff none set, one reason per switch, stable order`, () => {
      for (let mask = 0; mask < 1 << SWITCHES.length; mask++) {
        const on = new Set(SWITCHES.filter((_, i) => (mask & (1 << i)) !== 0));
        const state = scenario(on, flavour);
        const label = `switches: ${[...on].join(', ') || '(none)'}`;
        expect(state.sending, label).toBe(on.size === 0);
        expect(state.collecting, label).toBe(true);
        // Exactly one reason per set switch, in the declared (operator-first) order.
        expect(state.reasons, label).toEqual(SWITCHES.filter((s) => on.has(s)).map((s) => expectedReason(s, flavour)));
      }
    });
  }
});

describe('effectiveState details', () => {
  const base = (): LoadedConfig => loadConfig({ cwd: dirs.get('d0e0') ?? '', env: {} });
  const granted: Settings = { ...defaultSettings(), consent: { state: 'granted', at: DISABLED_AT } };
  const none = { argvDisableTelemetry: false, pausedUntilRestart: false };

  it('shows the value actually given for the environment switches', () => {
    const env = { CANDOR__TELEMETRY_DISABLED: 'yes', DO_NOT_TRACK: 'true' };
    const state = effectiveState(loadConfig({ cwd: dirs.get('d0e0') ?? '', env }), env, none, granted, NOW);
    expect(state.reasons).toEqual(['CANDOR__TELEMETRY_DISABLED=yes in the environment', 'DO_NOT_TRACK=true in the environment']);
  });

  it('DO_NOT_TRACK=0 or empty is not set', () => {
    for (const value of ['0', '', 'false', 'no']) {
      expect(effectiveState(base(), { DO_NOT_TRACK: value }, none, granted, NOW).sending).toBe(true);
    }
  });

  it('an env switch that loadConfig did not see still stops sending (even an unreadable value)', () => {
    expect(effectiveState(base(), { CANDOR__TELEMETRY_DISABLED: 'perhaps' }, none, granted, NOW).reasons).toEqual([
      'CANDOR__TELEMETRY_DISABLED=perhaps in the environment',
    ]);
    expect(effectiveState(base(), { CANDOR__TELEMETRY_DISABLED: 'false' }, none, granted, NOW).sending).toBe(true);
  });

  it('lists every config layer that set telemetry_disabled', () => {
    const { dir, cleanup: done } = tempDir();
    writeFiles(dir, {
      'config/config.yaml': 'telemetry_disabled: true\n',
      'config/local.yaml': 'telemetry_disabled: true\ntelemetry:\n  endpoint: https://x.example/\n',
    });
    const state = effectiveState(loadConfig({ cwd: dir, env: {} }), {}, none, granted, NOW);
    expect(state.reasons).toEqual(['telemetry_disabled: true in config/config.yaml', 'telemetry_disabled: true in config/local.yaml']);
    done();
  });

  it('a pause that ended is no reason; a pause ending another day shows the date', () => {
    expect(effectiveState(base(), {}, none, { ...granted, paused_until: new Date(2026, 10, 25, 11, 59).toISOString() }, NOW).sending).toBe(
      true,
    );
    const tomorrow = new Date(2026, 10, 26, 8, 5);
    expect(effectiveState(base(), {}, none, { ...granted, paused_until: tomorrow.toISOString() }, NOW).reasons).toEqual([
      `paused until ${localDate(tomorrow)} 08:05`,
    ]);
  });

  it('the operator pre-answer counts only while the person has not answered', () => {
    const { dir, cleanup: done } = tempDir();
    writeFiles(dir, {
      'granted/config/config.yaml': 'telemetry:\n  endpoint: https://x.example/\n  consent: granted\n',
      'revoked/config/local.yaml': 'telemetry:\n  endpoint: https://x.example/\n  consent: revoked\n',
    });
    const opGranted = loadConfig({ cwd: `${dir}/granted`, env: {} });
    const opRevoked = loadConfig({ cwd: `${dir}/revoked`, env: {} });
    const unset = defaultSettings();
    const revoked: Settings = { ...unset, consent: { state: 'revoked', at: null } };
    expect(effectiveState(opGranted, {}, none, unset, NOW)).toEqual({ collecting: true, sending: true, reasons: [] });
    expect(effectiveState(opGranted, {}, none, revoked, NOW).reasons).toEqual(['consent revoked']);
    expect(effectiveState(opRevoked, {}, none, unset, NOW).reasons).toEqual([
      'consent revoked by the operator (telemetry.consent: revoked in config/local.yaml:3)',
    ]);
    expect(effectiveState(opRevoked, {}, none, granted, NOW).sending).toBe(true);
    done();
  });

  it('disabled without a recorded time still says who', () => {
    expect(effectiveState(base(), {}, none, { ...granted, user_disabled: { value: true, at: null } }, NOW).reasons).toEqual([
      'disabled by you',
    ]);
  });
});
