import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';
import { Outbox } from '../../main/send/outbox.js';
import { Sender } from '../../main/send/sender.js';
import { dedupKey, startCollector, type Collector } from '../support/collector.js';
import { reportJson } from './collector.js';

// Issue 10 item 6: a collector that answers only after the upload timeout received
// several copies of one report, and nothing in them let it keep one. Now every report
// carries a report_id, sent again as Idempotency-Key on every copy: a receiver that
// deduplicates on it holds one copy per report, whatever the retries.

const UPLOAD_TIMEOUT_MS = 1_000;
/** The first three requests are answered after this, far beyond the upload timeout. */
const LATE_MS = 4_000;

let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-exactly-once-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const REPORT_IDS = ['7e57d004-2b97-4e7a-b45f-5387367791cd', 'aa5c2e1b-3f4d-4e6a-9b8c-7d6e5f4a3b2c', '0f9e8d7c-6b5a-4938-a271-605f4e3d2c1b'];
const reports = REPORT_IDS.map((reportId, i) => reportJson(i + 1, { reportId }));

/** Three reports through a real sender to `collector`, until the outbox is empty. */
async function deliverAll(name: string, collector: Collector): Promise<void> {
  const outbox = new Outbox({ dir: join(dir, name, 'outbox') });
  const sender = new Sender({
    outbox,
    ledger: new Ledger({ dir: join(dir, name, 'history') }),
    endpoint: () => collector.url,
    gate: () => ({ sending: true }),
    userAgent: 'Candor/test',
    timeoutMs: UPLOAD_TIMEOUT_MS,
    baseBackoffMs: 10,
    maxBackoffMs: 40,
  });
  cleanups.push(() => sender.stop());
  for (const json of reports) await outbox.add(json);
  sender.start();
  const deadline = Date.now() + 60_000;
  while ((await outbox.list()).length > 0) {
    if (Date.now() > deadline) throw new Error(`${name}: the outbox did not drain`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function collector(deduplicate: boolean): Promise<Collector> {
  const started = await startCollector({ deduplicate, answerDelayMs: (index) => (index < 3 ? LATE_MS : 0) });
  cleanups.push(() => started.close());
  return started;
}

describe('a collector that answers after the upload timeout', () => {
  it('receives several copies of a report; deduplicating on Idempotency-Key it holds one per report', async () => {
    const plain = await collector(false);
    const dedup = await collector(true);
    await Promise.all([deliverAll('plain', plain), deliverAll('dedup', dedup)]);

    for (const server of [plain, dedup]) {
      // Report 1 was sent until an answer came in time (three late ones at least), then 2 and 3.
      const bodies = server.received.map((r) => r.body);
      expect(bodies.filter((body) => body === reports[0]).length).toBeGreaterThanOrEqual(4);
      expect([...new Set(bodies)]).toEqual(reports);
      // Every copy carries its report's key, in the header and the body alike.
      for (const request of server.received) {
        expect(request.headers['idempotency-key']).toBe((JSON.parse(request.body) as { report_id: string }).report_id);
      }
    }
    // Without deduplication the receiver keeps every copy it processed...
    expect(plain.held).toHaveLength(plain.received.length);
    expect(plain.duplicates()).toBe(0);
    // ...with it, one per report: the copies are counted, not kept.
    expect(dedup.held.map((r) => r.body)).toEqual(reports);
    expect(dedup.held.map((r) => dedupKey(r))).toEqual(REPORT_IDS);
    expect(dedup.duplicates()).toBe(dedup.received.length - reports.length);
    expect(dedup.duplicates()).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
