import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent, type AgentOptions } from '../../main/agent.js';
import { Payload } from '../../main/report/payload-schema.js';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { fastSendingConfig } from '../support/temp-dirs.js';
import { agentIn, captureLogs, outboxBodies, outboxFiles, reaper, setup, waitForLog, waitUntil } from './harness.js';

// The agent end to end against a real collector on 127.0.0.1: a report arrives when
// allowed, no connection at all reaches the collector while any switch is on, a pause
// mid-run stops the next send, and reports written before a SIGKILL are delivered
// after a restart. Where nothing may happen, a log line first proves the sender ran and
// judged its gate (no sleeps standing in for "nothing happened").

const SENDING_OFF = /telemetry sending is off; reports wait in the outbox/;

describe('delivery', () => {
  it('delivers a gzip JSON report that validates against the schema once consent is given', async () => {
    const { box, collector } = await setup();
    const agent = await agentIn(box);
    await agent.api.setConsent({ granted: true });
    await agent.sendNow();
    const [request] = await collector.waitFor(1);
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.headers['user-agent']).toMatch(/^Candor\/\d+\.\d+\.\d+/);
    const payload = Payload.parse(JSON.parse(request?.body ?? ''));
    expect(payload.anonymized).toBe(true);
    expect(payload.id).toBe(agent.telemetryId);
    await waitUntil(() => agent !== null && outboxFiles(box.dataDir).length === 0, 'outbox to drain');
    const { entries } = await agent.api.history({});
    expect(entries[0]?.instance_id).toBe(agent.telemetryId);
    expect((await agent.api.instanceIds({})).ids).toContain(agent.telemetryId);
  });

  it('a pause mid-run stops the next send', async () => {
    const { box, collector } = await setup();
    const agent = await agentIn(box);
    await agent.api.setConsent({ granted: true });
    await agent.sendNow();
    await collector.waitFor(1);
    const before = collector.connections();
    const logs = captureLogs();
    await agent.api.pause({ duration: '1h' });
    // The sender has judged the gate closed...
    await waitForLog(logs, SENDING_OFF);
    expect((await agent.api.status({})).delivery).toBe('off');
    // ...and sendNow() awaits all it starts (build, queue, flush): had it sent, the connection would be counted now.
    await agent.sendNow();
    expect(collector.connections()).toBe(before);
    expect(collector.received).toHaveLength(1);
    expect(outboxFiles(box.dataDir)).toEqual([]);
    await agent.api.resume({});
    await agent.sendNow();
    await collector.waitFor(2);
  });
});

describe('no connection reaches the collector while any switch is on', () => {
  // Each case starts a second agent on a data dir whose outbox already holds an
  // undelivered report; the switch must keep even that one from being sent.
  const cases: {
    name: string;
    env?: NodeJS.ProcessEnv;
    config?: string;
    options?: Partial<AgentOptions>;
    act?: (a: Agent) => Promise<unknown>;
    reason: RegExp;
    discardsQueued?: true;
  }[] = [
    {
      name: 'CANDOR__TELEMETRY_DISABLED',
      env: { CANDOR__TELEMETRY_DISABLED: 'true' },
      reason: /CANDOR__TELEMETRY_DISABLED=true in the environment/,
    },
    { name: 'telemetry_disabled in config', config: 'telemetry_disabled: true', reason: /telemetry_disabled: true in config\/config.yaml/ },
    { name: '--disable-telemetry', options: { disableTelemetry: true }, reason: /--disable-telemetry on the command line/ },
    { name: 'DO_NOT_TRACK', env: { DO_NOT_TRACK: '1' }, reason: /DO_NOT_TRACK=1 in the environment/ },
    { name: 'user disable', act: (a) => a.api.disable({}), reason: /disabled by you/ },
    { name: 'pause', act: (a) => a.api.pause({ duration: '24h' }), reason: /paused until/ },
    // Revoking consent also discards what was queued under it.
    { name: 'consent revoked', act: (a) => a.api.setConsent({ granted: false }), reason: /consent revoked/, discardsQueued: true },
  ];

  it.each(cases)('$name', async ({ env, config, options, act, reason, discardsQueued }) => {
    const { box, collector } = await setup();
    // First run: consent given, but the collector refuses for now, so the report stays queued.
    collector.script([503, 503, 503, 503, 503, 503]);
    const first = await agentIn(box);
    await first.api.setConsent({ granted: true });
    await first.sendNow();
    await collector.waitFor(1);
    await first.close();
    expect(outboxFiles(box.dataDir).length).toBeGreaterThan(0);

    if (config) box.writeConfig('config.yaml', fastSendingConfig(collector.url, config));
    if (act) {
      // Apply the user's switch through a passive agent, as the CLI would.
      const cli = await createAgent({ mode: 'cli', passive: true, dataDir: box.dataDir, cwd: box.cwd, env: {} });
      await act(cli);
      await cli.close();
    }
    collector.script([]);
    const connectionsBefore = collector.connections();
    const logs = captureLogs();
    const second = await agentIn(box, { env: env ?? {}, ...options });
    const status = await second.api.status({});
    expect(status.sending).toBe(false);
    expect(status.reasons.join('\n')).toMatch(reason);
    // The started sender drains at once; its 'off' line says it looked at the queue and judged the gate.
    await waitForLog(logs, SENDING_OFF);
    await second.sendNow();
    expect(collector.connections()).toBe(connectionsBefore);
    if (discardsQueued) expect(outboxFiles(box.dataDir)).toEqual([]);
    else expect(outboxFiles(box.dataDir).length).toBeGreaterThan(0);
  });
});

describe('crash safety', () => {
  beforeAll(() => buildOnce(), 120_000);

  it('reports written before a SIGKILL of the agent are delivered after restart, as they were queued', async () => {
    const { box, collector } = await setup();
    const withConsent = (firstDelayS: number): string =>
      fastSendingConfig(collector.url, '', firstDelayS).replace('telemetry:\n', 'telemetry:\n  consent: granted\n');
    box.writeConfig('config.yaml', withConsent(0));
    collector.script(Array(50).fill(503));
    const child = spawn(
      process.execPath,
      [join(APP_ROOT, 'dist/main/cli.js'), 'start', '--headless', '--port', '0', '--data-dir', box.dataDir],
      { cwd: box.cwd, env: { PATH: process.env['PATH'] ?? '' }, stdio: 'ignore' },
    );
    reaper.track(child);
    await waitUntil(() => outboxFiles(box.dataDir).length > 0, 'the child to queue a report', 30_000);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const queued = outboxBodies(box.dataDir);
    expect(queued.length).toBeGreaterThan(0);
    const childIds = new Set(queued.map((body) => (JSON.parse(body) as { id: string }).id));

    // The restarted agent builds no report of its own for an hour: whatever arrives is the queue.
    box.writeConfig('config.yaml', withConsent(3600));
    collector.script([]);
    const delivered = collector.received.length;
    const agent = await agentIn(box);
    expect(childIds.has(agent.telemetryId)).toBe(false);
    // No sendNow(): the sender delivers what is queued when it starts.
    await waitUntil(() => outboxFiles(box.dataDir).length === 0, 'the outbox to drain');
    const after = collector.received.slice(delivered);
    expect(after.map((r) => r.body).sort()).toEqual([...queued].sort());
    const ids = after.map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(new Set(ids)).toEqual(childIds);
    expect(ids).not.toContain(agent.telemetryId);
  }, 60_000);
});
