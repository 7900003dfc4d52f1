import type { LoadedConfig } from '../control/config-load.js';
import { effectiveSwitches } from '../control/effective-state.js';
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

/**
 * The effective configuration as the payload describes it: values and which switches
 * are set, never their raw sources. Paths and the endpoint are raw here; the schema
 * marks them for hashing, so they leave the machine only as hashes.
 */
export function instanceSummary(loaded: LoadedConfig, inputs: InstanceInputs): InstanceSummary {
  const c = loaded.config;
  const sw = effectiveSwitches(loaded, inputs.env, { argvDisableTelemetry: inputs.argvDisableTelemetry, pausedUntilRestart: inputs.pausedUntilRestart }, inputs.settings, inputs.now);
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
    switches: sw,
  };
}
