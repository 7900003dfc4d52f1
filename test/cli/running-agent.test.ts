import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../main/util/instance-lock.js';
import { buildOnce } from '../support/build.js';
import { startCollector, type Collector } from '../support/collector.js';
import { fastSendingConfig } from '../support/temp-dirs.js';
import { agentSays, apiToken, candor, newBox, startAgent } from './support.js';

// One truth for state: while an agent runs, the state commands ask it (a pause until
// restart exists only in its memory); when it is gone, they say so and use the files.

let collector: Collector | null = null;
beforeAll(() => buildOnce(), 120_000);
afterEach(async () => {
  await collector?.close();
  collector = null;
});

interface StatusJson {
  agent: { running: boolean; pid?: number; url?: string | null };
  sending: boolean;
  reasons: string[];
  paused_until: string | null;
  endpoint_host: string | null;
  details_level: number;
  next_send_at: string | null;
  telemetry_id: string | null;
}

describe('with an agent running, the CLI asks it', () => {
  it('pause --for until-restart shows as off in status, and resume really resumes the agent', async () => {
    collector = await startCollector();
    const box = newBox();
    box.writeConfig('config.yaml', fastSendingConfig(collector.url));
    const agent = await startAgent(box);
    const token = apiToken(box);
    const id = /telemetry id: ([0-9a-f-]{36})/.exec(agent.output())?.[1];
    expect(id).toBeDefined();

    const granted = candor(box, ['consent', 'grant']);
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toContain(`agent: running (pid ${agent.child.pid}, http://127.0.0.1:${agent.port}/)`);

    // Sending on: where to, at which level, when next, under which id.
    const on = candor(box, ['status']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/^sending: on$/m);
    expect(on.stdout).toContain(`endpoint: 127.0.0.1:${collector.port}\n`);
    expect(on.stdout).toMatch(/^level sent: 4, every minute$/m);
    expect(on.stdout).toMatch(/^next report: \d{2}:\d{2} \(in (\d+ min|1 h)\)$/m);
    expect(on.stdout).toContain(`current id: ${id}\n`);
    const onJson = JSON.parse(candor(box, ['status', '--json']).stdout) as StatusJson;
    expect(onJson).toMatchObject({ sending: true, telemetry_id: id, details_level: 4, endpoint_host: `127.0.0.1:${collector.port}` });
    expect(onJson.next_send_at).toBe((await agentSays(agent.port, token))['next_send_at']);

    const paused = candor(box, ['pause', '--for', 'until-restart']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('  - paused until restart');

    const status = candor(box, ['status']);
    expect(status.stdout).toMatch(/^sending: off$/m);
    expect(status.stdout).toContain('  - paused until restart');
    const statusJson = JSON.parse(candor(box, ['status', '--json']).stdout) as StatusJson;
    expect(statusJson).toMatchObject({ sending: false, paused_until: 'restart', agent: { running: true, pid: agent.child.pid } });
    expect(statusJson.reasons).toEqual(['paused until restart']);

    const resumed = candor(box, ['resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^sending: on$/m);
    // The agent itself, asked past the CLI: no longer paused, sending again.
    expect(await agentSays(agent.port, token)).toMatchObject({ sending: true, paused_until: null, reasons: [] });
  }, 90_000);

  it('a timed pause and a disable reach the agent at once, in its own answer', async () => {
    const box = newBox();
    const agent = await startAgent(box);
    const token = apiToken(box);
    const disabled = candor(box, ['disable']);
    expect(disabled.stdout).toContain(`agent: running (pid ${agent.child.pid}`);
    expect((await agentSays(agent.port, token))['user_disabled']).toBe(true);
    expect(candor(box, ['pause', '--for', '30m']).code).toBe(0);
    expect((await agentSays(agent.port, token))['paused_until']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  }, 60_000);
});

describe('with no agent running, the CLI says so and uses the files', () => {
  it('an agent killed outright (its lock left behind): status says "agent not running"', async () => {
    const box = newBox();
    const agent = await startAgent(box);
    expect(candor(box, ['status']).stdout).toContain('agent: running');
    agent.child.kill('SIGKILL');
    await agent.exited;
    expect(existsSync(join(box.dataDir, LOCK_FILE))).toBe(true);

    const status = candor(box, ['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`agent: not running: state read from the files in ${box.dataDir}`);
    expect(status.stdout).toMatch(/^current id: none \(every start makes a new one\)$/m);
    expect(JSON.parse(candor(box, ['status', '--json']).stdout)).toMatchObject({ agent: { running: false }, telemetry_id: null });

    // A change goes to the files the next agent reads.
    expect(candor(box, ['pause', '--for', '30m']).code).toBe(0);
    const settings = JSON.parse(readFileSync(join(box.dataDir, 'settings.json'), 'utf8')) as { paused_until: string | null };
    expect(settings.paused_until).not.toBeNull();
  }, 60_000);

  it('pause --for until-restart without an agent fails, saying how to start one', () => {
    const box = newBox();
    const result = candor(box, ['pause', '--for', 'until-restart']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no agent is running on .*"until-restart" pauses a running agent \(start one with `.+ start`\)/);
  });
});
