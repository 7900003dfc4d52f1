import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import type ElectronStore from 'electron-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSettingsStore,
  type SettingsBackendOptions,
  type SettingsStore,
  type SettingsStoreClass,
} from '../../main/control/settings-store.js';
import { defaultSettings, parseSettings, SETTINGS_SCHEMA_VERSION } from '../../main/control/settings-schema.js';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { tempDir } from './helpers.js';

// The desktop passes electron-store; this only has to type-check (no Electron binary here).
const electronStoreFits: SettingsStoreClass | null = null as typeof ElectronStore | null;
void electronStoreFits;

let dir: string;
let cleanup: () => void;
let logs: string[];
let previousSink: LogSink;
const stores: SettingsStore[] = [];
const open = (opts: { watch?: boolean; storeClass?: SettingsStoreClass } = {}): SettingsStore => {
  const store = openSettingsStore({ dataDir: dir, watch: false, ...opts });
  stores.push(store);
  return store;
};
const settingsFile = (): string => join(dir, 'settings.json');
const corruptFiles = (): string[] => readdirSync(dir).filter((name) => /^settings\.corrupt-.*\.json$/.test(name));

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  logs = [];
  previousSink = setLogSink((_level, line) => logs.push(line));
});
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  setLogSink(previousSink);
  cleanup();
});

describe('settings store basics', () => {
  it('a new store has the defaults (consent unset) and writes nothing until updated', () => {
    const store = open();
    expect(store.path).toBe(settingsFile());
    expect(store.get()).toEqual(defaultSettings());
    expect(store.get().consent.state).toBe('unset');
    expect(existsSync(settingsFile())).toBe(false);
  });

  it('update persists through conf, validated, readable by a new instance', () => {
    const store = open();
    const at = new Date().toISOString();
    const next = store.update((s) => ({ ...s, consent: { state: 'granted', at }, ui: { theme: 'dark', preview_level: 4 } }));
    expect(next.consent).toEqual({ state: 'granted', at });
    const onDisk = JSON.parse(readFileSync(settingsFile(), 'utf8')) as unknown;
    expect(parseSettings(onDisk)).toEqual(next);
    expect(open().get()).toEqual(next);
    if (process.platform !== 'win32') expect(statSync(settingsFile()).mode & 0o777).toBe(0o600);
  });

  it('an update producing invalid settings is refused with the field named, and nothing is written', () => {
    const store = open();
    store.update((s) => ({ ...s, ui: { ...s.ui, theme: 'light' } }));
    const before = readFileSync(settingsFile(), 'utf8');
    expect(() => store.update((s) => ({ ...s, ui: { ...s.ui, preview_level: 9 } }))).toThrow(/ui\.preview_level/);
    expect(() => store.update((s) => ({ ...s, paused_until: 'tomorrow' }))).toThrow(/paused_until/);
    expect(readFileSync(settingsFile(), 'utf8')).toBe(before);
  });

  it('uses the injected store class (electron-store in the desktop)', () => {
    let constructed = 0;
    class CountingConf extends Conf {
      constructor(options: SettingsBackendOptions) {
        super(options);
        constructed++;
      }
    }
    const store = open({ storeClass: CountingConf });
    store.update((s) => ({ ...s, user_disabled: { value: true, at: new Date().toISOString() } }));
    expect(constructed).toBe(1);
    expect(open().get().user_disabled.value).toBe(true);
  });

  it('removes temp files left by a killed writer once they are stale, and keeps fresh ones', () => {
    const stale = join(dir, 'settings.json.tmp-1234567890abcdef');
    const staleOurs = join(dir, '.settings.json.4242.abcd1234.tmp');
    const fresh = join(dir, 'settings.json.tmp-9999999999abcdef');
    const unrelated = join(dir, 'notes.tmp');
    writeFileSync(stale, '{"half":');
    writeFileSync(staleOurs, '{"half":');
    writeFileSync(fresh, '{"in flight":');
    writeFileSync(unrelated, 'keep');
    const old = new Date(Date.now() - 10 * 60_000);
    for (const path of [stale, staleOurs, unrelated]) utimesSync(path, old, old);
    open();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(staleOurs)).toBe(false);
    expect(existsSync(unrelated)).toBe(true);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('corrupt or unusable settings are kept aside and sending stays off until the person answers again', () => {
  const cases: [string, string][] = [
    ['not JSON', '{"consent": {"state": "granted", '],
    ['not an object', '[1, 2, 3]\n'],
    ['fails the schema', JSON.stringify({ ...defaultSettings(), consent: { state: 'maybe', at: null } })],
    ['an unknown key', JSON.stringify({ ...defaultSettings(), extra: 1 })],
    ['a non-integer schema_version', JSON.stringify({ ...defaultSettings(), schema_version: '1' })],
  ];
  it.each(cases)('%s', (_what, bytes) => {
    writeFileSync(settingsFile(), bytes);
    const store = open();
    const moved = corruptFiles();
    expect(moved).toHaveLength(1);
    expect(readFileSync(join(dir, moved[0] ?? ''), 'utf8')).toBe(bytes);
    // Defaults load, marked as recovered, and are written so every process sees the same.
    const loaded = store.get();
    expect({ ...loaded, recovered: null }).toEqual(defaultSettings());
    expect(loaded.recovered?.from).toBe(join(dir, moved[0] ?? ''));
    expect(open().get().recovered?.from).toBe(join(dir, moved[0] ?? ''));
    const mentions = logs.filter((line) => line.includes('settings.json') && line.includes(moved[0] ?? '?'));
    expect(mentions).toHaveLength(1);
    expect(logs).toHaveLength(1);
    // Reading again does not log again, and the store works normally afterwards.
    store.get();
    store.update((s) => ({ ...s, consent: { state: 'granted', at: null }, recovered: null }));
    expect(logs).toHaveLength(1);
    expect(open().get().consent.state).toBe('granted');
  });

  it('a file from a newer Candor is left untouched, read as recovered defaults, and never written over', () => {
    const bytes = JSON.stringify({
      ...defaultSettings(),
      schema_version: SETTINGS_SCHEMA_VERSION + 1,
      consent: { state: 'granted', at: null },
    });
    writeFileSync(settingsFile(), bytes);
    const store = open();
    expect(corruptFiles()).toHaveLength(0);
    expect(store.get().recovered?.from).toMatch(/newer Candor/);
    expect(store.get().consent.state).toBe('unset');
    expect(() => store.update((s) => ({ ...s, user_disabled: { value: true, at: null } }))).toThrow(/newer/);
    expect(readFileSync(settingsFile(), 'utf8')).toBe(bytes);
  });

  it('a file corrupted after opening is noticed on the next read, once', () => {
    const store = open();
    store.update((s) => ({ ...s, consent: { state: 'granted', at: null } }));
    writeFileSync(settingsFile(), 'garbage');
    expect(store.get().consent.state).toBe('unset');
    expect(store.get().recovered).not.toBeNull();
    expect(store.get().consent.state).toBe('unset');
    expect(corruptFiles()).toHaveLength(1);
    expect(logs).toHaveLength(1);
  });

  it('an unreadable settings path (a directory) is an error naming it, not a silent reset', () => {
    mkdirSync(settingsFile());
    expect(() => open()).toThrow(/cannot read settings file .*settings\.json/);
  });
});

describe('changes from another instance reach onChange', () => {
  it('a second store instance writing the same file', async () => {
    const watcher = open({ watch: true });
    const writer = open();
    const seen = new Promise<string>((resolve) => {
      watcher.onChange((s) => {
        if (s.consent.state === 'granted') resolve(s.consent.state);
      });
    });
    writer.update((s) => ({ ...s, consent: { state: 'granted', at: new Date().toISOString() } }));
    await expect(seen).resolves.toBe('granted');
    expect(watcher.get().consent.state).toBe('granted');
  });

  it('own updates notify, unsubscribe stops notifications, equal writes do not notify', () => {
    const store = open();
    const events: string[] = [];
    const off = store.onChange((s) => events.push(s.ui.theme));
    store.update((s) => ({ ...s, ui: { ...s.ui, theme: 'dark' } }));
    store.update((s) => ({ ...s, ui: { ...s.ui, theme: 'dark' } }));
    off();
    store.update((s) => ({ ...s, ui: { ...s.ui, theme: 'light' } }));
    expect(events).toEqual(['dark']);
  });
});
