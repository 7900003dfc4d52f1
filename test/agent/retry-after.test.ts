import { describe, expect, it } from 'vitest';
import { agentIn, captureLogs, outboxFiles, setup, waitUntil } from './harness.js';

// Issue 13 item 4 through the whole agent: after a second 429 the collector's
// Retry-After holds send-now (the same path the scheduler runs: build, queue, flush)
// and a pause with its resume (settings changes that wake the sender). Checked on the
// collector's clock as "not before its answer + Retry-After": a correctness bound.

/** Long enough that building and queueing reports surely fits inside it, even under load. */
const SECOND_WAIT_S = 8;

describe('a collector that asks to wait, twice', () => {
  it('send-now, a pause and a resume during the wait reach the collector only after Retry-After', async () => {
    const { box, collector } = await setup();
    collector.script([
      { status: 429, headers: { 'Retry-After': '1' } },
      { status: 429, headers: { 'Retry-After': String(SECOND_WAIT_S) } },
    ]);
    const logs = captureLogs();
    const agent = await agentIn(box);
    await agent.api.setConsent({ granted: true });
    await agent.sendNow();
    // The sender retries on its own timer and meets the second 429.
    await waitUntil(() => collector.received[1]?.answeredAt != null, 'the second 429', 30_000);
    const bound = (collector.received[1]?.answeredAt ?? Number.NaN) + SECOND_WAIT_S * 1000;

    await agent.sendNow();
    await agent.api.pause({ duration: '1h' });
    await agent.api.resume({});
    await agent.sendNow();
    // The surfaces say until when queued reports wait: the collector's answer plus its Retry-After.
    const waiting = await agent.api.status({});
    expect(Date.now(), 'the pushes came after the wait was over; the test proves nothing').toBeLessThan(bound);
    expect(waiting.retry_at).not.toBeNull();
    expect(Math.abs(Date.parse(waiting.retry_at ?? '') - bound)).toBeLessThan(5_000);

    await waitUntil(() => outboxFiles(box.dataDir).length === 0 && collector.received.length >= 5, 'the outbox to drain', 60_000);
    const after = collector.received.slice(2);
    // The first report again, then the two sent now: nothing before the bound.
    expect(after).toHaveLength(3);
    expect(after[0]?.body).toBe(collector.received[0]?.body);
    for (const request of after) expect(request.arrivedAt).toBeGreaterThanOrEqual(bound);

    expect(logs.lines).toContain('candor warn: telemetry endpoint asked us to wait 1 s (HTTP 429)');
    expect(logs.lines.join('\n')).not.toMatch(/unreachable/);
  }, 90_000);
});
