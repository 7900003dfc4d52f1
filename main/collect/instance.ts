import type { LoadedConfig } from '../control/config-load.js';
import { CONFIG_KEY_MAP } from '../control/config-schema.js';
import { envNameFor } from '../control/config-env.js';
import { doNotTrackValue, timedPauseActive } from '../control/effective-state.js';
import type { Settings } from '../control/settings-store.js';
import type { InstanceSummary } from '../report/payload-schema.js';

export interface InstanceInputs {
  env: NodeJS.ProcessEnv;
  settings: Settings;
  argvDisableTelemetry: boolean;
  pausedUntilRestart: boolean;
  now: Date;
}

type SwitchFlags = InstanceSummary['switches'];

const DEFAULT_HTTP_PORT = CONFIG_KEY_MAP.get('service.http_port')?.default;

const DISABLED_ENV_PREFIX = `${envNameFor('telemetry_disabled')}=`;

/** Which switches are set, as booleans only (their sources stay local). */
export function switchFlags(loaded: LoadedConfig, inputs: InstanceInputs): SwitchFlags {
  const paused = inputs.pausedUntilRestart || timedPauseActive(inputs.settings, inputs.now);
  return {
    env_disabled: loaded.disabledBy.some((s) => s.startsWith(DISABLED_ENV_PREFIX)),
    config_disabled: loaded.disabledBy.some((s) => !s.startsWith(DISABLED_ENV_PREFIX)),
    cli_disabled: inputs.argvDisableTelemetry,
    do_not_track: doNotTrackValue(inputs.env) !== null,
    user_disabled: inputs.settings.user_disabled.value,
    paused,
    consent: inputs.settings.consent.state,
  };
}

/** An operator-level switch (env, config, CLI flag, DO_NOT_TRACK) is set. */
export function operatorDisabled(flags: SwitchFlags): boolean {
  return flags.env_disabled || flags.config_disabled || flags.cli_disabled || flags.do_not_track;
}

/** Which layer a loaded config file was (by its name), never its path. */
export function configLayer(file: string, runMode: string): InstanceSummary['config_layers'][number] {
  const name = file.split(/[\\/]/).pop() ?? '';
  if (name === 'config.yaml') return 'config.yaml';
  if (name === 'local.yaml') return 'local.yaml';
  if (name === `${runMode}.yaml`) return 'run-mode.yaml';
  return 'config-path';
}

/**
 * The effective configuration as the payload describes it: values and which switches
 * are set, never their raw sources, paths or the endpoint. RUN_MODE is raw here; the
 * schema turns it into a category.
 */
export function instanceSummary(loaded: LoadedConfig, inputs: InstanceInputs): InstanceSummary {
  const c = loaded.config;
  return {
    details_level: c.telemetry.details_level,
    sampling_interval_s: c.sampling.interval_s,
    send_interval_s: c.telemetry.interval_s,
    first_delay_s: c.telemetry.first_delay_s,
    endpoint_configured: c.telemetry.endpoint !== null,
    deletion_endpoint_configured: c.telemetry.deletion_endpoint !== null,
    run_mode: loaded.runMode,
    log_level: c.log.level,
    http_port: c.service.http_port === 0 ? 'any' : c.service.http_port === DEFAULT_HTTP_PORT ? 'default' : 'custom',
    config_layers: loaded.files.map((file) => configLayer(file, loaded.runMode)),
    switches: switchFlags(loaded, inputs),
  };
}
