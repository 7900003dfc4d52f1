import type { LoadedConfig } from '../control/config-load.js';
import { envNameFor } from '../control/config-env.js';
import { doNotTrackValue, timedPauseActive } from '../control/effective-state.js';
import type { Settings } from '../control/settings-store.js';
import type { InstanceSummary } from '../report/payload-schema.js';

export interface InstanceInputs {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  settings: Settings;
  argvDisableTelemetry: boolean;
  pausedUntilRestart: boolean;
  now: Date;
}

type SwitchFlags = InstanceSummary['switches'];

const DISABLED_ENV_PREFIX = `${envNameFor('telemetry_disabled')}=`;

/** Which switches are set, as booleans only (their sources stay local). */
export function switchFlags(loaded: LoadedConfig, inputs: Omit<InstanceInputs, 'dataDir'>): SwitchFlags {
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

/**
 * The effective configuration as the payload describes it: values and which switches
 * are set, never their raw sources. Paths and the endpoint are raw here; the schema
 * marks them for hashing, so they leave the machine only as hashes.
 */
export function instanceSummary(loaded: LoadedConfig, inputs: InstanceInputs): InstanceSummary {
  const c = loaded.config;
  return {
    details_level: c.telemetry.details_level,
    sampling_interval_s: c.sampling.interval_s,
    send_interval_s: c.telemetry.interval_s,
    first_delay_s: c.telemetry.first_delay_s,
    endpoint_configured: c.telemetry.endpoint !== null,
    endpoint: c.telemetry.endpoint ?? '',
    deletion_endpoint_configured: c.telemetry.deletion_endpoint !== null,
    run_mode: loaded.runMode,
    log_level: c.log.level,
    http_port: c.service.http_port,
    config_files: loaded.files,
    data_dir: inputs.dataDir,
    switches: switchFlags(loaded, inputs),
  };
}
