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

describe('v0 (legacy, no schema_version) -> v1 on a real file', () => {
  it('consent: true becomes granted with its time; disabled and theme move; the file is rewritten as v1', () => {
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
      schema_version: 1,
      consent: { state: 'granted', at },
      user_disabled: { value: true, at: '2025-04-01T08:00:00.000Z' },
      paused_until: null,
      ui: { theme: 'dark', preview_level: 3 },
      recovered: null,
    });
    const onDisk = parseSettings(JSON.parse(readFileSync(file(), 'utf8')));
    expect(onDisk).toEqual(settings);
    expect(logs.filter((l) => l.includes('migrated from schema_version 0 to 1'))).toHaveLength(1);
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
