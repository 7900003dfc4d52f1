import { afterEach, describe, expect, it } from 'vitest';
import { RunState } from '../../main/agent/run-state.js';
import { StatusHub } from '../../main/agent/status-hub.js';
import { loadConfig } from '../../main/control/config-load.js';
import { openSettingsStore, type SettingsStore } from '../../main/control/settings-store.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// The state every surface shows comes from one StatusHub over one RunState.

describe('StatusHub', () => {
  let box: Sandbox;
  let store: SettingsStore;
  afterEach(() => {
    store?.close();
    box?.cleanup();
  });

  function hubWith(yaml: string): { hub: StatusHub; run: RunState } {
    box = sandbox();
    box.writeConfig('config.yaml', yaml);
    const config = loadConfig({ cwd: box.cwd, env: {} });
    store = openSettingsStore({ dataDir: box.dataDir, watch: false });
    const run = new RunState(config, {}, store, false);
    return { hub: new StatusHub(run, '00000000-0000-4000-8000-000000000001'), run };
  }

  it('reports an expired pause as no pause at all, and a running one with its end', () => {
    const { hub } = hubWith('telemetry:\n  endpoint: https://collector.example.org/v1/reports\n  consent: granted\n');
    const ends = new Date(Date.now() + 60_000).toISOString();
    store.update((s) => ({ ...s, paused_until: ends }));
    expect(hub.status().paused_until).toBe(ends);
    expect(hub.status().sending).toBe(false);
    const later = new Date(Date.now() + 120_000);
    const afterwards = hub.status(later);
    expect(afterwards.paused_until).toBeNull();
    expect(afterwards.sending).toBe(true);
    expect(afterwards.reasons).toEqual([]);
  });

  it('says "restart" for a pause until restart, which lives only in this process', () => {
    const { hub, run } = hubWith('telemetry:\n  consent: granted\n');
    run.setPausedUntilRestart(true);
    expect(hub.status().paused_until).toBe('restart');
    expect(hub.status().reasons).toContain('paused until restart');
    expect(store.get().paused_until).toBeNull();
  });

  it('tells each listener once per actual change, not per look', () => {
    const { hub, run } = hubWith('telemetry:\n  consent: granted\n');
    const seen: (string | null)[] = [];
    const unsubscribe = hub.subscribe((status) => seen.push(status.paused_until));
    hub.emit();
    hub.emit();
    run.setPausedUntilRestart(true);
    hub.emit();
    hub.emit();
    unsubscribe();
    run.setPausedUntilRestart(false);
    hub.emit();
    expect(seen).toEqual([null, 'restart']);
  });
});
