import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeletionQueue, type DeletionQueueOptions } from '../../main/send/deletion.js';
import { deletionText } from '../../main/send/deletion-text.js';
import { captureLog, Collector, type Answer } from './collector.js';

let dir: string;
let logs: ReturnType<typeof captureLog>;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-deletion-'));
  logs = captureLog();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.restore();
  rmSync(dir, { recursive: true, force: true });
});

const IDS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const CONTACT = 'privacy@example.org';
const NOW = new Date('2026-02-03T04:05:06.000Z');

async function collectorWith(respond: (index: number) => Answer, port = 0): Promise<Collector> {
  const collector = await Collector.start((_request, index) => respond(index), port);
  cleanups.push(() => collector.close());
  return collector;
}

function queue(endpoint: () => string | null, extra: Partial<DeletionQueueOptions> = {}): DeletionQueue {
  const q = new DeletionQueue({
    dir,
    endpoint,
    gate: () => true,
    userAgent: 'Candor/1.2.3',
    baseBackoffMs: 10,
    maxBackoffMs: 40,
    random: () => 0.5,
    now: () => NOW,
    ...extra,
  });
  cleanups.push(() => q.stop());
  return q;
}

describe('deletionText', () => {
  it('names every id and the contact', () => {
    expect(deletionText(IDS, CONTACT)).toBe(
      `Please delete all telemetry data for these Candor instance ids:\n  ${IDS[0]}\n  ${IDS[1]}\nContact: ${CONTACT}\n`,
    );
    expect(deletionText(IDS, null)).toContain('no privacy contact is configured');
    expect(deletionText([], CONTACT)).toContain('nothing to delete');
  });
});

describe('DeletionQueue', () => {
  it('returns only the text when not asked to send, or when no endpoint is configured', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    const notAsked = await queue(() => collector.url).request({ ids: IDS, contact: CONTACT, send: false });
    expect(notAsked).toEqual({ ids: IDS, contact: CONTACT, text: deletionText(IDS, CONTACT), delivery: 'not-requested' });
    const noEndpoint = await queue(() => null).request({ ids: IDS, contact: null, send: true });
    expect(noEndpoint.delivery).toBe('not-configured');
    expect(collector.connections).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('POSTs the deletion request and reports it sent', async () => {
    const collector = await collectorWith(() => ({ status: 202 }));
    const sent: unknown[] = [];
    const result = await queue(() => collector.url, { onSent: (body) => sent.push(body) }).request({
      ids: IDS,
      contact: CONTACT,
      send: true,
    });
    expect(result).toEqual({ ids: IDS, contact: CONTACT, text: deletionText(IDS, CONTACT), delivery: 'sent' });
    expect(collector.requests).toHaveLength(1);
    const [request] = collector.requests;
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('Candor/1.2.3');
    expect(JSON.parse(request?.text ?? 'null')).toEqual({ type: 'deletion-request', ids: IDS, requested_at: NOW.toISOString() });
    expect(sent).toHaveLength(1);
    // Nothing left queued; the collector's answer is kept as a receipt.
    expect(readdirSync(dir)).toEqual(['receipts.jsonl']);
    await collector.allClosed();
  });

  it('retries until delivered', async () => {
    const collector = await collectorWith((i) => (i < 3 ? { status: 503 } : { status: 200 }));
    const delays: number[] = [];
    let delivered!: () => void;
    const done = new Promise<void>((resolve) => (delivered = resolve));
    const q = queue(() => collector.url, { onRetryScheduled: (ms) => delays.push(ms), onSent: () => delivered() });
    q.start();
    const result = await q.request({ ids: IDS, contact: CONTACT, send: true });
    expect(result.delivery).toBe('queued');
    await done;
    expect(collector.requests).toHaveLength(4);
    expect(delays).toEqual([8, 15, 30]);
    expect(await q.pending()).toBe(0);
    expect(logs.lines.filter((line) => line.includes('will retry'))).toHaveLength(1);
  });

  it('persists a queued request across instances (restart) and delivers it later', async () => {
    const port = await Collector.freePort();
    const first = queue(() => `http://127.0.0.1:${port}/delete`);
    const result = await first.request({ ids: IDS, contact: CONTACT, send: true });
    expect(result.delivery).toBe('queued');
    await first.stop();
    const [stored] = readdirSync(dir);
    expect(JSON.parse(readFileSync(join(dir, stored ?? ''), 'utf8'))).toEqual({
      type: 'deletion-request',
      ids: IDS,
      requested_at: NOW.toISOString(),
    });

    const collector = await collectorWith(() => ({ status: 200 }), port);
    const second = queue(() => collector.url);
    expect(await second.pending()).toBe(1);
    await second.flush();
    expect(await second.pending()).toBe(0);
    expect(JSON.parse(collector.requests[0]?.text ?? 'null')).toMatchObject({ type: 'deletion-request', ids: IDS });
  });

  it('sends nothing while its gate is closed, and goes once it opens', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    let open = false;
    const q = queue(() => collector.url, { gate: () => open });
    q.start();
    expect((await q.request({ ids: IDS, contact: CONTACT, send: true })).delivery).toBe('queued');
    await q.flush();
    expect(collector.connections).toBe(0);
    open = true;
    await q.flush();
    expect(collector.requests).toHaveLength(1);
  });

  it('moves a refused request to rejected/ with its reason and tells the caller to send the text', async () => {
    const collector = await collectorWith(() => ({ status: 400, body: 'unknown ids' }));
    const result = await queue(() => collector.url).request({ ids: IDS, contact: CONTACT, send: true });
    expect(result.delivery).toBe('rejected');
    const rejected = readdirSync(join(dir, 'rejected')).sort();
    expect(rejected).toHaveLength(2);
    expect(readFileSync(join(dir, 'rejected', rejected[1] ?? ''), 'utf8')).toContain('HTTP 400 Bad Request: unknown ids');
    expect(collector.requests).toHaveLength(1);
  });

  it('moves a corrupt queued file to corrupt/ with a log line naming it', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    writeFileSync(join(dir, '0000000000001-0000000a.json'), '{"type":"something-else"}');
    const q = queue(() => collector.url);
    await q.flush();
    expect(collector.connections).toBe(0);
    expect(readdirSync(join(dir, 'corrupt'))).toEqual(['0000000000001-0000000a.json']);
    expect(logs.lines.some((line) => line.includes(join(dir, '0000000000001-0000000a.json')))).toBe(true);
  });

  it('picks up, within its re-check interval, a request another process queued while the collector was down', async () => {
    const port = await Collector.freePort();
    const url = `http://127.0.0.1:${port}/delete`;
    let sent!: () => void;
    const delivered = new Promise<void>((resolve) => (sent = resolve));
    const agent = queue(() => url, { recheckMs: 20, onSent: () => sent() });
    agent.start();
    // `candor request-deletion --send` beside the agent: its one attempt fails, the file stays.
    const cli = queue(() => url);
    expect((await cli.request({ ids: IDS, contact: CONTACT, send: true })).delivery).toBe('queued');
    await cli.stop();
    const collector = await collectorWith(() => ({ status: 200 }), port);
    await delivered; // no settings change, no restart: only the re-check can wake the agent's queue
    expect(collector.requests).toHaveLength(1);
    expect(await agent.pending()).toBe(0);

    // Stopped: no more re-checks.
    await agent.stop();
    writeFileSync(
      join(dir, '0000000000002-0000000b.json'),
      JSON.stringify({ type: 'deletion-request', ids: IDS, requested_at: NOW.toISOString() }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(collector.requests).toHaveLength(1);
    expect(await agent.pending()).toBe(1);
  });
});
