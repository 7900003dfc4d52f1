import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Payload } from '../../main/report/payload-schema.js';
import { agentIn, outboxFiles, setup, waitUntil } from './harness.js';

// Issue 10 item 6, end to end: the agent's reports carry a report_id (UUID v4, new per
// report, made when the report is built), and the sender puts the same value in the
// Idempotency-Key header of every copy, so a receiver that deduplicates on it keeps one.

const reportIdOf = (body: string): unknown => (JSON.parse(body) as { report_id?: unknown }).report_id;

describe('report_id and Idempotency-Key', () => {
  it('a retried report keeps its report_id and key; the next report gets a new one; the receiver holds one copy of each', async () => {
    const { box, collector } = await setup('', { deduplicate: true });
    // The first attempt fails: the retry (after the agent's own backoff) is a second copy.
    collector.script([503]);
    const agent = await agentIn(box);
    await agent.api.setConsent({ granted: true });
    await agent.sendNow();
    await waitUntil(() => outboxFiles(box.dataDir).length === 0, 'the retried report to be delivered', 30_000);
    await agent.sendNow();
    await waitUntil(() => collector.received.length >= 3 && outboxFiles(box.dataDir).length === 0, 'the second report');

    const [failed, retried, next] = collector.received;
    expect(retried?.body).toBe(failed?.body);
    const ids = collector.received.map((r) => reportIdOf(r.body));
    for (const id of ids) expect(z.uuidv4().safeParse(id).success).toBe(true);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(collector.received.map((r) => r.headers['idempotency-key'])).toEqual(ids);
    expect(next && Payload.safeParse(JSON.parse(next.body)).success).toBe(true);
    expect(collector.held.map((r) => reportIdOf(r.body))).toEqual([ids[0], ids[2]]);
  }, 60_000);
});
