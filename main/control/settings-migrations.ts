import { SETTINGS_SCHEMA_VERSION } from './settings-schema.js';

// Explicit, integer-numbered migrations of the settings file. Each step takes the
// shape of version `from` and returns the shape of version `from + 1`. A file with no
// schema_version is version 0 (the legacy shape below). Steps never validate: the
// result is validated once, after the last step, against the current schema.

export type SettingsData = Record<string, unknown>;

export interface SettingsMigration {
  readonly from: number;
  readonly describe: string;
  readonly up: (data: SettingsData) => SettingsData;
}

/**
 * v0 (legacy, no schema_version):
 *   { consent?: boolean, consent_at?: string, disabled?: boolean, disabled_at?: string,
 *     paused_until?: string | null, theme?: 'system'|'light'|'dark', preview_level?: number }
 */
const V0_KEYS = new Set(['consent', 'consent_at', 'disabled', 'disabled_at', 'paused_until', 'theme', 'preview_level']);

const v0ToV1: SettingsMigration = {
  from: 0,
  describe: 'consent true/false -> consent {state, at}; disabled -> user_disabled; theme/preview_level -> ui',
  up: (old) => {
    // A file that only looks like v0 because its schema_version key is damaged must not
    // be "migrated" into defaults: refuse it, so the store keeps it aside.
    const foreign = Object.keys(old).filter((key) => !V0_KEYS.has(key));
    if (foreign.length > 0)
      throw new Error(
        `not a legacy (v0) settings file: unexpected ${foreign.map((k) => JSON.stringify(k)).join(', ')} and no schema_version`,
      );
    if (old['consent'] !== undefined && typeof old['consent'] !== 'boolean')
      throw new Error('not a legacy (v0) settings file: consent is not true or false');
    const consentState = old['consent'] === true ? 'granted' : old['consent'] === false ? 'revoked' : 'unset';
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    return {
      schema_version: 1,
      consent: { state: consentState, at: consentState === 'unset' ? null : text(old['consent_at']) },
      user_disabled: { value: old['disabled'] === true, at: old['disabled'] === true ? text(old['disabled_at']) : null },
      paused_until: text(old['paused_until']),
      ui: { theme: old['theme'] ?? 'system', preview_level: old['preview_level'] ?? 2 },
    };
  },
};

/** v1 -> v2: the intake's per-app answers (issue 11); nobody has answered yet. */
const v1ToV2: SettingsMigration = {
  from: 1,
  describe: 'adds sources: {} (the answer per app reporting through the OTLP intake)',
  up: (old) => {
    // A v1 file never had the key: one that has it is a v2 file with a damaged
    // schema_version, and its answers must not be silently replaced.
    if ('sources' in old) throw new Error('not a v1 settings file: it already has "sources"');
    return { ...old, sources: {} };
  },
};

export const SETTINGS_MIGRATIONS: readonly SettingsMigration[] = [v0ToV1, v1ToV2];

export class SettingsVersionError extends Error {
  constructor(
    readonly found: unknown,
    readonly known: number,
  ) {
    super(`settings schema_version ${JSON.stringify(found)} is not one this version of Candor knows (0..${known})`);
    this.name = 'SettingsVersionError';
  }
}

function versionOf(data: SettingsData): unknown {
  return 'schema_version' in data ? data['schema_version'] : 0;
}

/** Runs every step from the file's version up to `target`; throws SettingsVersionError for newer or odd versions. */
export function migrateSettings(
  data: SettingsData,
  migrations: readonly SettingsMigration[] = SETTINGS_MIGRATIONS,
  target: number = SETTINGS_SCHEMA_VERSION,
): { data: SettingsData; fromVersion: number; steps: number } {
  const found = versionOf(data);
  if (typeof found !== 'number' || !Number.isInteger(found) || found < 0 || found > target) throw new SettingsVersionError(found, target);
  let current = data;
  let version = found;
  let steps = 0;
  while (version < target) {
    const step = migrations.find((m) => m.from === version);
    if (step === undefined) throw new Error(`no settings migration from schema_version ${version} (needed to reach ${target})`);
    current = { ...step.up(current), schema_version: version + 1 };
    version += 1;
    steps += 1;
  }
  return { data: current, fromVersion: found, steps };
}
