import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent, type AgentOptions } from '../../main/agent.js';
import { Payload } from '../../main/report/payload-schema.js';
import { APP_ROOT } from '../../main/version.js';
import { startCollector, type Collector } from '../support/collector.js';
import { buildOnce } from '../support/build.js';
import { fastSendingConfig, sandbox, type Sandbox } from '../support/temp-dirs.js';

// The agent end to end against a real collector on 127.0.0.1: a report arrives when
// allowed, no connection at all reaches the collector while any switch is on, a pause
// mid-run stops the next send, and reports written before a SIGKILL are delivered
// after a restart.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(extraConfig = ''): Promise<{ box: Sandbox; collector: Collector }> {
  const box = sandbox();
  const collector = await startCollector();
  box.writeConfig('config.yaml', fastSendingConfig(collector.url, extraConfig));
  cleanups.push(() => box.cleanup(), () => collector.close());
  return { box, collector };
}

async function agentIn(box: Sandbox, options: Partial<AgentOptions> = {}): Promise<Agent> {
  const agent = await createAgent({ mode: 'headless', dataDir: box.dataDir, cwd: box.cwd, env: {}, ...options });
  cleanups.push(() => agent.close());
  return agent;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function outboxFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'outbox');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json.gz')) : [];
}

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
    await agent.api.pause({ duration: '1h' });
    await agent.sendNow();
    await sleep(500);
    expect(collector.connections()).toBe(before);
    expect(collector.received).toHaveLength(1);
    await agent.api.resume({});
    await agent.sendNow();
    await collector.waitFor(2);
  });
});

describe('no connection reaches the collector while any switch is on', () => {
  // Each case starts a second agent on a data dir whose outbox already holds an
  // undelivered report; the switch must keep even that one from being sent.
  const cases: { name: string; env?: NodeJS.ProcessEnv; config?: string; options?: Partial<AgentOptions>; act?: (a: Agent) => Promise<unknown>; reason: RegExp; discardsQueued?: true }[] = [
    { name: 'CANDOR__TELEMETRY_DISABLED', env: { CANDOR__TELEMETRY_DISABLED: 'true' }, reason: /CANDOR__TELEMETRY_DISABLED=true in the environment/ },
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
    const second = await agentIn(box, { env: env ?? {}, ...options });
    const status = await second.api.status({});
    expect(status.sending).toBe(false);
    expect(status.reasons.join('\n')).toMatch(reason);
    await second.sendNow();
    await sleep(1500);
    expect(collector.connections()).toBe(connectionsBefore);
    if (discardsQueued) expect(outboxFiles(box.dataDir)).toEqual([]);
    else expect(outboxFiles(box.dataDir).length).toBeGreaterThan(0);
  });
});

describe('crash safety', () => {
  beforeAll(() => buildOnce(), 120_000);

  it('reports written before a SIGKILL of the agent are delivered after restart', async () => {
    const { box, collector } = await setup();
    box.writeConfig('config.yaml', fastSendingConfig(collector.url, '', 0).replace('telemetry:\n', 'telemetry:\n  consent: granted\n'));
    collector.script(Array(50).fill(503));
    const child = spawn(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), 'start', '--headless', '--port', '0', '--data-dir', box.dataDir], { cwd: box.cwd, env: { PATH: process.env['PATH'] ?? '' }, stdio: 'ignore' });
    await waitUntil(() => outboxFiles(box.dataDir).length > 0, 'the child to queue a report', 30_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const queued = outboxFiles(box.dataDir).length;
    expect(queued).toBeGreaterThan(0);

    collector.script([]);
    const delivered = collector.received.length;
    const agent = await agentIn(box);
    await agent.sendNow();
    await waitUntil(() => collector.received.filter((r) => r.headers['content-encoding'] === 'gzip').length >= delivered + queued, 'queued reports to arrive');
    const ids = new Set(collector.received.slice(delivered).map((r) => (JSON.parse(r.body) as { id: string }).id));
    expect(ids.size).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
