import { operatorDisabled, switchFlags } from '../collect/instance.js';
import type { LoadedConfig } from '../control/config-load.js';
import { effectiveState, type EffectiveState } from '../control/effective-state.js';
import type { SettingsStore } from '../control/settings-store.js';

// The inputs of the effective state that live in this process: the loaded config, the
// environment, the command-line switch and "pause until restart" (never persisted).
// Every surface asks this one object, so they cannot disagree.

export class RunState {
  private pausedUntilRestartFlag = false;

  constructor(
    readonly config: LoadedConfig,
    readonly env: NodeJS.ProcessEnv,
    readonly settings: SettingsStore,
    readonly argvDisableTelemetry: boolean,
  ) {}

  get pausedUntilRestart(): boolean {
    return this.pausedUntilRestartFlag;
  }

  setPausedUntilRestart(value: boolean): void {
    this.pausedUntilRestartFlag = value;
  }

  effective(now = new Date()): EffectiveState {
    const switches = { argvDisableTelemetry: this.argvDisableTelemetry, pausedUntilRestart: this.pausedUntilRestartFlag };
    return effectiveState(this.config, this.env, switches, this.settings.get(), now);
  }

  /** An operator switch (env, config, CLI flag, DO_NOT_TRACK) is set: nothing at all may leave. */
  operatorOff(now = new Date()): boolean {
    return operatorDisabled(
      switchFlags(this.config, {
        env: this.env,
        settings: this.settings.get(),
        argvDisableTelemetry: this.argvDisableTelemetry,
        pausedUntilRestart: this.pausedUntilRestartFlag,
        now,
      }),
    );
  }

  endpoint(): string | null {
    return this.config.config.telemetry.endpoint;
  }
}
