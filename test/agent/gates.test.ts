import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentOptions } from '../../main/agent.js';
import { openSettingsStore } from '../../main/control/settings-store.js';
import {
  agentIn,
  BUSY_FOR_AN_HOUR,
  captureLogs,
  deletionFiles,
  outboxBodies,
  outboxFiles,
  setup,
  waitForLog,
  waitUntil,
} from './harness.js';

// What main/agent.ts does when a gate changes under a queued report: a timed pause
// running out wakes the sender, a new grant of consent discards what the old one
// queued, and deletion requests pass the user's switches but not the operator's.

const SENDING_OFF = /telemetry sending is off; reports wait in the outbox/;

describe('a timed pause that runs out', () => {
  it('wakes the sender: the queued report goes without sendNow()', async () => {
    const { box, collector } = await setup();
    // A first run queues a report: the collector is busy and asks for an hour.
    collector.script([BUSY_FOR_AN_HOUR]);
    const first = await agentIn(box);
    await first.api.setConsent({ granted: true });
    await first.sendNow();
    expect(collector.received).toHaveLength(1);
    await first.close();
    const queued = outboxBodies(box.dataDir);
    expect(queued).toHaveLength(1);

    // Paused by another process (as `candor pause` would), for three seconds. A new
    // start owes the busy collector no wait (waits live in memory), and its scheduler
    // waits an hour: only the pause running out can send the queued report.
    const store = openSettingsStore({ dataDir: box.dataDir, watch: false });
    const until = Date.now() + 3_000;
    store.update((s) => ({ ...s, paused_until: new Date(until).toISOString() }));
    store.close();
    collector.script([]);
    const logs = captureLogs();
    const agent = await agentIn(box);
    // The agent's sender judged the gate closed.
    await waitForLog(logs, SENDING_OFF);
    expect(Date.now(), 'the agent saw the pause only after it ran out; the test proves nothing').toBeLessThan(until);
    expect((await agent.api.status({})).sending).toBe(false);

    await waitUntil(() => collector.received.length >= 2, 'the queued report to be delivered after the pause', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(collector.received[1]?.body).toBe(queued[0]);
    await waitUntil(() => outboxFiles(box.dataDir).length === 0, 'the outbox to drain');
    expect(collector.received).toHaveLength(2);
  });
});

describe('granting consent again after a revoke', () => {
  it('discards what was queued under the old grant: only the new report arrives', async () => {
    const { box, collector } = await setup();
    collector.script([BUSY_FOR_AN_HOUR]);
    const agent = await agentIn(box);
    await agent.api.setConsent({ granted: true });
    await agent.sendNow();
    const [old] = outboxBodies(box.dataDir);
    expect(old).toBeDefined();
    expect(collector.received.map((r) => r.body)).toEqual([old]);

    await agent.api.setConsent({ granted: false });
    await agent.api.setConsent({ granted: true });
    expect(outboxFiles(box.dataDir)).toEqual([]);
    // This agent owes the busy collector its hour, whatever the consent says; the next
    // start does not (waits live in memory). Had the old report stayed queued on disk,
    // the restarted agent would send it first.
    await agent.close();
    collector.script([]);
    const next = await agentIn(box);
    await next.sendNow();
    await waitUntil(() => outboxFiles(box.dataDir).length === 0, 'the outbox to drain');

    const delivered = collector.received.slice(1);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.body).not.toBe(old);
    // The one report delivered is the one the history recorded, built under the new grant.
    const { entries } = await next.api.history({});
    expect(entries).toHaveLength(1);
    const body = (await next.api.historyBody({ sha256: entries[0]?.sha256 ?? '' })).body;
    expect(JSON.stringify(body)).toBe(delivered[0]?.body);
  });
});

describe('deletion requests', () => {
  const DELETE_PATH = '/delete';
  async function withDeletionEndpoint(): Promise<Awaited<ReturnType<typeof setup>>> {
    const probe = await setup();
    // setup() wrote the config for this collector; add its deletion endpoint.
    const config = readFileSync(join(probe.box.cwd, 'config', 'config.yaml'), 'utf8');
    probe.box.writeConfig(
      'config.yaml',
      config.replace('telemetry:\n', `telemetry:\n  deletion_endpoint: http://127.0.0.1:${probe.collector.port}${DELETE_PATH}\n`),
    );
    return probe;
  }
  const deletions = (collector: Awaited<ReturnType<typeof setup>>['collector']): { ids: string[] }[] =>
    collector.received.filter((r) => r.url === DELETE_PATH).map((r) => JSON.parse(r.body) as { ids: string[] });

  it.each([
    { name: 'the user disables telemetry', act: (api: Awaited<ReturnType<typeof agentIn>>['api']) => api.disable({}) },
    { name: 'the user revokes consent', act: (api: Awaited<ReturnType<typeof agentIn>>['api']) => api.setConsent({ granted: false }) },
  ])('are still delivered after $name', async ({ act }) => {
    const { box, collector } = await withDeletionEndpoint();
    const agent = await agentIn(box);
    await agent.api.setConsent({ granted: true });
    await agent.sendNow();
    await collector.waitFor(1);
    await act(agent.api);
    expect((await agent.api.status({})).sending).toBe(false);

    const result = await agent.api.requestDeletion({ send: true });
    expect(result.delivery).toBe('sent');
    expect(deletions(collector)).toEqual([expect.objectContaining({ type: 'deletion-request', ids: [agent.telemetryId] })]);
    expect(deletionFiles(box.dataDir)).toEqual([]);
  });

  it.each<{ name: string; options: Partial<AgentOptions> }>([
    { name: 'DO_NOT_TRACK=1', options: { env: { DO_NOT_TRACK: '1' } } },
    { name: '--disable-telemetry', options: { disableTelemetry: true } },
  ])('are held while the operator switch $name is on, and go once it is off', async ({ options }) => {
    const { box, collector } = await withDeletionEndpoint();
    // A first run sends a report, so there is an id to delete.
    const first = await agentIn(box);
    await first.api.setConsent({ granted: true });
    await first.sendNow();
    await collector.waitFor(1);
    await first.close();

    const held = await agentIn(box, options);
    const result = await held.api.requestDeletion({ send: true });
    // request() awaits its one attempt: 'queued' says the queue looked and the gate held it.
    expect(result.delivery).toBe('queued');
    expect(result.ids).toEqual([first.telemetryId]);
    expect(deletions(collector)).toEqual([]);
    const files = deletionFiles(box.dataDir);
    expect(files).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(box.dataDir, 'deletion', files[0] ?? ''), 'utf8'))).toMatchObject({
      type: 'deletion-request',
      ids: [first.telemetryId],
    });
    await held.close();

    // The same queued file goes as soon as an agent runs without the switch.
    await agentIn(box);
    await waitUntil(() => deletions(collector).length > 0, 'the held deletion request to be delivered');
    expect(deletions(collector)).toEqual([expect.objectContaining({ ids: [first.telemetryId] })]);
    await waitUntil(() => deletionFiles(box.dataDir).length === 0, 'the deletion queue to empty');
  });
});
