import { z } from 'zod';
import { SAFE_NAME } from '../anonymize/safe-name.js';

// The user's own choices, persisted in <data dir>/settings.json. The operator's
// configuration (YAML, env) never lives here, and this file never turns telemetry on
// by itself: consent must be "granted" and every other switch off.

export const SETTINGS_SCHEMA_VERSION = 2;

const isoTime = z.iso.datetime({ offset: true });

/** A service.name as the intake accepts it (main/intake/safe-names.ts, syntax part). */
/** Answers kept: far more apps than one machine runs, few enough that a bad file cannot balloon. */
export const MAX_SOURCE_ANSWERS = 1000;

const SourceAnswers = z
  .record(z.string().regex(SAFE_NAME), z.strictObject({ state: z.enum(['allowed', 'denied']), at: isoTime.nullable() }))
  .refine((answers) => Object.keys(answers).length <= MAX_SOURCE_ANSWERS, { message: `at most ${MAX_SOURCE_ANSWERS} source answers` });

export const SettingsSchema = z.strictObject({
  schema_version: z.literal(SETTINGS_SCHEMA_VERSION),
  consent: z.strictObject({ state: z.enum(['unset', 'granted', 'revoked']), at: isoTime.nullable() }),
  user_disabled: z.strictObject({ value: z.boolean(), at: isoTime.nullable() }),
  paused_until: isoTime.nullable(),
  ui: z.strictObject({ theme: z.enum(['system', 'light', 'dark']), preview_level: z.number().int().min(0).max(4) }),
  // Set when an unusable settings file was moved aside (or is from a newer Candor): the
  // person's earlier answers are unknown, so sending stays off until they answer again.
  recovered: z.strictObject({ from: z.string(), at: isoTime }).nullable().default(null),
  // The person's answer per app reporting through the intake (service.name -> allowed/denied).
  sources: SourceAnswers,
});

export interface Settings {
  schema_version: number;
  consent: { state: 'unset' | 'granted' | 'revoked'; at: string | null };
  user_disabled: { value: boolean; at: string | null };
  paused_until: string | null;
  ui: { theme: 'system' | 'light' | 'dark'; preview_level: number };
  recovered: { from: string; at: string } | null;
  sources: Record<string, { state: 'allowed' | 'denied'; at: string | null }>;
}

export function defaultSettings(): Settings {
  return {
    schema_version: SETTINGS_SCHEMA_VERSION,
    consent: { state: 'unset', at: null },
    user_disabled: { value: false, at: null },
    paused_until: null,
    ui: { theme: 'system', preview_level: 2 },
    recovered: null,
    sources: {},
  };
}

/** Validates settings; the error lists each bad field by its path. */
export function parseSettings(data: unknown): Settings {
  const result = SettingsSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.length === 0 ? '(top level)' : issue.path.join('.')}: ${issue.message}`,
  );
  throw new Error(`settings do not match the schema: ${problems.join('; ')}`);
}
