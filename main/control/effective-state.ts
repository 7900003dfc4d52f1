import type { LoadedConfig } from './config-load.js';
import { envNameFor, parseEnvBoolean } from './config-env.js';
import type { Settings } from './settings-schema.js';

export interface Switches {
  argvDisableTelemetry: boolean;
  /** "Pause until restart" lives only in the running process; it is never persisted. */
  pausedUntilRestart: boolean;
}

export interface EffectiveState {
  /** Always true: collection and the local preview keep working while sending is off. */
  collecting: boolean;
  sending: boolean;
  /** Why sending is off, one entry per switch that is set; empty exactly when sending. */
  reasons: string[];
}

const DISABLED_ENV = envNameFor('telemetry_disabled');

/** DO_NOT_TRACK: unset, empty, 0, false or no mean "not set"; any other value counts (privacy wins ties). */
export function doNotTrackValue(env: NodeJS.ProcessEnv): string | null {
  const value = env['DO_NOT_TRACK'];
  if (value === undefined) return null;
  const word = value.trim().toLowerCase();
  return word === '' || word === '0' || word === 'false' || word === 'no' ? null : value;
}

const pad = (n: number): string => String(n).padStart(2, '0');
/** Local calendar date, YYYY-MM-DD. */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
const localTime = (d: Date): string => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

function onDate(prefix: string, at: string | null): string {
  const when = at === null ? null : new Date(at);
  return when === null || Number.isNaN(when.getTime()) ? prefix : `${prefix} on ${localDate(when)}`;
}

/** A timed pause is in force: its end is ahead, or unreadable (which counts as paused). */
export function timedPauseActive(settings: Settings, now: Date): boolean {
  if (settings.paused_until === null) return false;
  const until = new Date(settings.paused_until).getTime();
  return Number.isNaN(until) || until > now.getTime();
}

/**
 * The one place that decides whether anything may be sent, and says why not.
 * Order: operator switches (environment, config files, command line, DO_NOT_TRACK,
 * endpoint), then the user's (disable, pause, consent). Pure: no I/O, no clock.
 */
export function effectiveState(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
  switches: Switches,
  settings: Settings,
  now: Date,
): EffectiveState {
  const reasons: string[] = [];

  // loadConfig records env and file sources; an env value it did not see (or could not
  // read) still stops sending here, since an unreadable switch may never turn telemetry on.
  const envSources = loaded.disabledBy.filter((source) => source.startsWith(`${DISABLED_ENV}=`));
  const fileSources = loaded.disabledBy.filter((source) => !source.startsWith(`${DISABLED_ENV}=`));
  const envValue = env[DISABLED_ENV];
  if (envSources.length === 0 && envValue !== undefined && parseEnvBoolean(envValue) !== false)
    envSources.push(`${DISABLED_ENV}=${envValue}`);
  for (const source of envSources) reasons.push(`${source} in the environment`);
  for (const source of fileSources) reasons.push(`telemetry_disabled: true in ${source}`);
  if (reasons.length === 0 && loaded.config.telemetry_disabled) reasons.push('telemetry_disabled: true in the configuration');

  if (switches.argvDisableTelemetry) reasons.push('--disable-telemetry on the command line');
  const dnt = doNotTrackValue(env);
  if (dnt !== null) reasons.push(`DO_NOT_TRACK=${dnt} in the environment`);
  if (loaded.config.telemetry.endpoint === null) reasons.push('no endpoint configured');

  if (settings.user_disabled.value) reasons.push(onDate('disabled by you', settings.user_disabled.at));
  // Lost answers are never guessed: an operator's pre-given consent does not count here.
  if (settings.recovered !== null)
    reasons.push(`your settings could not be read (kept as ${settings.recovered.from}); answer the consent question again`);

  if (timedPauseActive(settings, now)) {
    const until = new Date(settings.paused_until ?? '');
    if (Number.isNaN(until.getTime())) reasons.push('paused (unreadable end time)');
    else {
      const sameDay = localDate(until) === localDate(now);
      reasons.push(`paused until ${sameDay ? '' : `${localDate(until)} `}${localTime(until)}`);
    }
  }
  if (switches.pausedUntilRestart) reasons.push('paused until restart');

  // The person's own answer wins over the operator's pre-given one.
  const operatorConsent = loaded.config.telemetry.consent;
  if (settings.consent.state === 'revoked') reasons.push(onDate('consent revoked', settings.consent.at));
  else if (settings.consent.state === 'unset') {
    if (operatorConsent === 'revoked') {
      const where = loaded.sources['telemetry.consent'] ?? 'the configuration';
      reasons.push(`consent revoked by the operator (telemetry.consent: revoked in ${where})`);
    } else if (operatorConsent === null) reasons.push('no consent given yet');
  }

  return { collecting: true, sending: reasons.length === 0, reasons };
}
