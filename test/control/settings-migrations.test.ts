import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  migrateSettings,
  SETTINGS_MIGRATIONS,
  SettingsVersionError,
  type SettingsMigration,
} from '../../main/control/settings-migrations.js';
import { SETTINGS_SCHEMA_VERSION, defaultSettings, parseSettings } from '../../main/control/settings-schema.js';
import { openSettingsStore } from '../../main/control/settings-store.js';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
let logs: string[];
let previousSink: LogSink;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  logs = [];
  previousSink = setLogSink((_level, line) => logs.push(line));
});
afterEach(() => {
  setLogSink(previousSink);
  cleanup();
});

const file = (): string => join(dir, 'settings.json');
function openOnce(contents: unknown) {
  writeFileSync(file(), JSON.stringify(contents));
  const store = openSettingsStore({ dataDir: dir, watch: false });
  const settings = store.get();
  store.close();
  return settings;
}

describe('v0 (legacy, no schema_version) -> current on a real file', () => {
  it('consent: true becomes granted with its time; disabled and theme move; the file is rewritten as current', () => {
    const at = '2025-03-01T10:00:00.000Z';
    const settings = openOnce({
      consent: true,
      consent_at: at,
      disabled: true,
      disabled_at: '2025-04-01T08:00:00.000Z',
      theme: 'dark',
      preview_level: 3,
    });
    expect(settings).toEqual({
      schema_version: SETTINGS_SCHEMA_VERSION,
      consent: { state: 'granted', at },
      user_disabled: { value: true, at: '2025-04-01T08:00:00.000Z' },
      paused_until: null,
      ui: { theme: 'dark', preview_level: 3 },
      recovered: null,
      sources: {},
    });
    const onDisk = parseSettings(JSON.parse(readFileSync(file(), 'utf8')));
    expect(onDisk).toEqual(settings);
    expect(logs.filter((l) => l.includes(`migrated from schema_version 0 to ${SETTINGS_SCHEMA_VERSION}`))).toHaveLength(1);
  });

  it('consent: false becomes revoked; no consent key stays unset', () => {
    expect(openOnce({ consent: false }).consent).toEqual({ state: 'revoked', at: null });
    expect(openOnce({ theme: 'light' })).toEqual({ ...defaultSettings(), ui: { theme: 'light', preview_level: 2 } });
  });

  it('a legacy file whose values do not fit v1 is kept aside, not half-migrated', () => {
    const bytes = JSON.stringify({ consent: true, theme: 'purple' });
    writeFileSync(file(), bytes);
    const store = openSettingsStore({ dataDir: dir, watch: false });
    expect({ ...store.get(), recovered: null }).toEqual(defaultSettings());
    expect(store.get().recovered).not.toBeNull();
    store.close();
    const moved = readdirSync(dir).filter((n) => n.startsWith('settings.corrupt-'));
    expect(moved).toHaveLength(1);
    expect(readFileSync(join(dir, moved[0] ?? ''), 'utf8')).toBe(bytes);
    expect(logs.join('\n')).toContain('ui.theme');
  });

  it('a current file is not rewritten on open', () => {
    const current = { ...defaultSettings(), consent: { state: 'granted', at: null } };
    writeFileSync(file(), JSON.stringify(current));
    const before = statSync(file(), { bigint: true });
    const store = openSettingsStore({ dataDir: dir, watch: false });
    expect(store.get()).toEqual(current);
    store.close();
    const after = statSync(file(), { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
    expect(logs).toEqual([]);
  });
});

describe("v1 -> v2 (the intake's answer per app) on a real file", () => {
  const v1 = {
    schema_version: 1,
    consent: { state: 'granted', at: '2026-01-02T03:04:05.000Z' },
    user_disabled: { value: false, at: null },
    paused_until: '2026-02-01T00:00:00.000Z',
    ui: { theme: 'light', preview_level: 3 },
    recovered: null,
  };

  it('keeps every v1 answer, adds sources: {} (nobody has answered for an app yet), and rewrites the file once', () => {
    const settings = openOnce(v1);
    expect(settings).toEqual({ ...v1, schema_version: 2, sources: {} });
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ ...v1, schema_version: 2, sources: {} });
    expect(logs.filter((l) => l.includes('migrated from schema_version 1 to 2'))).toHaveLength(1);
    // Opening again finds a current file: no second migration.
    logs.length = 0;
    openOnce(JSON.parse(readFileSync(file(), 'utf8')));
    expect(logs).toEqual([]);
  });

  it('a "v1" file that already has sources (a v2 file with a damaged version) is kept aside, not migrated over', () => {
    const bytes = JSON.stringify({ ...v1, sources: { 'shop-api': { state: 'allowed', at: null } } });
    writeFileSync(file(), bytes);
    const store = openSettingsStore({ dataDir: dir, watch: false });
    expect(store.get().recovered).not.toBeNull();
    expect(store.get().sources).toEqual({});
    store.close();
    const moved = readdirSync(dir).filter((n) => n.startsWith('settings.corrupt-'));
    expect(moved).toHaveLength(1);
    expect(readFileSync(join(dir, moved[0] ?? ''), 'utf8')).toBe(bytes);
    expect(logs.join('\n')).toContain('already has "sources"');
  });

  it('the v2 schema checks the answers: names must be service names, states allowed/denied, times ISO', () => {
    const good = {
      ...defaultSettings(),
      sources: { 'shop-api': { state: 'allowed', at: '2026-03-01T10:00:00.000Z' }, 'x.y_z-1': { state: 'denied', at: null } },
    };
    expect(parseSettings(good)).toEqual(good);
    expect(() => parseSettings({ ...good, sources: { 'bob@host': { state: 'allowed', at: null } } })).toThrow(/sources/);
    expect(() => parseSettings({ ...good, sources: { app: { state: 'pending', at: null } } })).toThrow(/sources\.app\.state/);
    expect(() => parseSettings({ ...good, sources: { app: { state: 'allowed', at: 'yesterday' } } })).toThrow(/sources\.app\.at/);
    expect(() => parseSettings({ ...good, sources: { app: { state: 'allowed', at: null, extra: 1 } } })).toThrow(/sources\.app/);
    const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`app${i}`, { state: 'allowed', at: null }]));
    expect(() => parseSettings({ ...good, sources: many })).toThrow(/at most 1000 source answers/);
  });
});

describe('migrateSettings', () => {
  it('the table reaches the current version, one integer step at a time', () => {
    expect(SETTINGS_MIGRATIONS.map((m) => m.from)).toEqual([...Array(SETTINGS_SCHEMA_VERSION).keys()]);
  });

  it('runs steps in order from the file version and stamps each version', () => {
    const seen: number[] = [];
    const table: SettingsMigration[] = [
      { from: 1, describe: 'b', up: (d) => (seen.push(Number(d['schema_version'])), { ...d, b: true }) },
      { from: 0, describe: 'a', up: (d) => (seen.push(0), { ...d, a: true }) },
    ];
    expect(migrateSettings({}, table, 2)).toEqual({ data: { a: true, b: true, schema_version: 2 }, fromVersion: 0, steps: 2 });
    expect(seen).toEqual([0, 1]);
    expect(migrateSettings({ schema_version: 1 }, table, 2).steps).toBe(1);
    expect(migrateSettings({ schema_version: 2 }, table, 2).steps).toBe(0);
  });

  it('refuses newer or odd versions, and a gap in the table', () => {
    expect(() => migrateSettings({ schema_version: SETTINGS_SCHEMA_VERSION + 1 })).toThrow(SettingsVersionError);
    expect(() => migrateSettings({ schema_version: 0.5 })).toThrow(/schema_version 0.5/);
    expect(() => migrateSettings({ schema_version: -1 })).toThrow(SettingsVersionError);
    expect(() => migrateSettings({}, [], 1)).toThrow('no settings migration from schema_version 0');
  });
});
