import { createHash } from 'node:crypto';
import dns from 'node:dns';
import diagnostics from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../main/api.js';
import { Ledger } from '../../main/send/ledger.js';
import { Outbox } from '../../main/send/outbox.js';
import { Sender, type DeliveryState, type SenderOptions } from '../../main/send/sender.js';
import { captureLog, Collector, reportJson, type Answer } from './collector.js';

let dir: string;
let logs: ReturnType<typeof captureLog>;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-sender-'));
  logs = captureLog();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.restore();
  rmSync(dir, { recursive: true, force: true });
});

async function collectorWith(respond: (index: number) => Answer): Promise<Collector> {
  const collector = await Collector.start((_request, index) => respond(index));
  cleanups.push(() => collector.close());
  return collector;
}

interface Harness {
  sender: Sender;
  outbox: Outbox;
  ledger: Ledger;
  delivered: HistoryEntry[];
  states: DeliveryState[];
  retryDelays: number[];
  /** Resolves when `n` reports have been delivered in all. */
  deliveredCount: (n: number) => Promise<void>;
  /** Resolves when `n` retries have been scheduled in all. */
  retryCount: (n: number) => Promise<void>;
}

function harness(endpoint: () => string | null, extra: Partial<SenderOptions> = {}): Harness {
  const outbox = new Outbox({ dir: join(dir, 'outbox') });
  const ledger = new Ledger({ dir: join(dir, 'history') });
  const delivered: HistoryEntry[] = [];
  const states: DeliveryState[] = [];
  const retryDelays: number[] = [];
  let waiters: { done: () => boolean; resolve: () => void }[] = [];
  const notify = (): void => {
    const ready = waiters.filter((w) => w.done());
    waiters = waiters.filter((w) => !w.done());
    for (const waiter of ready) waiter.resolve();
  };
  const until = (done: () => boolean): Promise<void> =>
    done() ? Promise.resolve() : new Promise((resolve) => waiters.push({ done, resolve }));
  const sender = new Sender({
    outbox,
    ledger,
    endpoint,
    gate: () => ({ sending: true }),
    userAgent: 'Candor/1.2.3',
    baseBackoffMs: 10,
    maxBackoffMs: 40,
    random: () => 0.5,
    timeoutMs: 2_000,
    ...extra,
    onDelivered: (entry) => {
      delivered.push(entry);
      notify();
      extra.onDelivered?.(entry);
    },
    onStateChange: (state) => {
      states.push(state);
      extra.onStateChange?.(state);
    },
    onRetryScheduled: (ms) => {
      retryDelays.push(ms);
      notify();
      extra.onRetryScheduled?.(ms);
    },
  });
  cleanups.push(() => sender.stop());
  const deliveredCount = (n: number): Promise<void> => until(() => delivered.length >= n);
  const retryCount = (n: number): Promise<void> => until(() => retryDelays.length >= n);
  return { sender, outbox, ledger, delivered, states, retryDelays, deliveredCount, retryCount };
}

/** Counts, in this process, requests constructed, client sockets and DNS lookups. */
function networkProbe(): { requests: number; sockets: number; lookups: number } {
  const counts = { requests: 0, sockets: 0, lookups: 0 };
  const onRequest = (): void => void (counts.requests += 1);
  const onSocket = (): void => void (counts.sockets += 1);
  diagnostics.subscribe('http.client.request.start', onRequest);
  diagnostics.subscribe('net.client.socket', onSocket);
  const lookup = dns.lookup;
  // Node's net resolves through dns.lookup at call time, so a wrapper sees every lookup.
  dns.lookup = ((...args: Parameters<typeof dns.lookup>) => {
    counts.lookups += 1;
    return (lookup as (...a: unknown[]) => void)(...args);
  }) as typeof dns.lookup;
  cleanups.push(() => {
    diagnostics.unsubscribe('http.client.request.start', onRequest);
    diagnostics.unsubscribe('net.client.socket', onSocket);
    dns.lookup = lookup;
  });
  return counts;
}

/** Resolves once no wait (backoff or Retry-After) is running: the next flush() sends. */
async function waitOver(sender: Sender): Promise<void> {
  for (;;) {
    const until = sender.nextAttemptAt();
    if (until === null) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, until.getTime() - Date.now())));
  }
}

const stateLines = (): string[] => logs.lines.filter((line) => /telemetry (endpoint|sending)|no telemetry endpoint/.test(line));

describe('Sender', () => {
  it('records the instance id of a report queued by an older Candor before any byte of it leaves', async () => {
    const olderId = '0d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';
    const idsFile = join(dir, 'history', 'ids.json');
    const onDisk: string[][] = [];
    const collector = await collectorWith(() => {
      onDisk.push(existsSync(idsFile) ? (JSON.parse(readFileSync(idsFile, 'utf8')) as string[]) : []);
      return { status: 200 };
    });
    const h = harness(() => collector.url);
    // Queued straight into the outbox, as an older version did: nothing recorded the id.
    await h.outbox.add(reportJson(1, { id: olderId }));
    expect(existsSync(idsFile)).toBe(false);
    await h.sender.flush();
    expect(h.delivered).toHaveLength(1);
    expect(onDisk).toEqual([[olderId]]);
  });

  it('delivers the outbox oldest first, records each report in the ledger and leaves no socket open', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    const h = harness(() => collector.url);
    await h.outbox.add(reportJson(1, { id: 'aaaaaaaa-0000-4000-8000-000000000001', level: 2 }));
    await h.outbox.add(reportJson(2, { id: 'aaaaaaaa-0000-4000-8000-000000000002', level: 3 }));
    await h.sender.flush();

    expect(collector.requests.map((r) => r.text)).toEqual([
      reportJson(1, { id: 'aaaaaaaa-0000-4000-8000-000000000001', level: 2 }),
      reportJson(2, { id: 'aaaaaaaa-0000-4000-8000-000000000002', level: 3 }),
    ]);
    for (const request of collector.requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.headers['user-agent']).toBe('Candor/1.2.3');
    }
    expect(collector.connections).toBe(2);
    await collector.allClosed();
    expect(await h.sender.pending()).toBe(0);
    expect(h.sender.state).toBe('ok');

    const history = h.ledger.list();
    expect(history.map((e) => [e.instance_id, e.details_level])).toEqual([
      ['aaaaaaaa-0000-4000-8000-000000000002', 3],
      ['aaaaaaaa-0000-4000-8000-000000000001', 2],
    ]);
    const sha = createHash('sha256')
      .update(reportJson(2, { id: 'aaaaaaaa-0000-4000-8000-000000000002', level: 3 }))
      .digest('hex');
    expect(history[0]).toMatchObject({ sha256: sha, bytes: collector.requests[1]?.body.length, body_kept: true });
    expect(h.delivered).toHaveLength(2);
    expect(h.delivered[1]).toEqual(history[0]);
  });

  it('retries on connection refused until the collector listens, logging one line per state change', async () => {
    const port = await Collector.freePort();
    const h = harness(() => `http://127.0.0.1:${port}/ingest`);
    await h.outbox.add(reportJson(1));
    await h.outbox.add(reportJson(2));
    h.sender.start();
    await h.retryCount(3);
    const collector = await Collector.start(() => ({ status: 200 }), port);
    cleanups.push(() => collector.close());
    await h.deliveredCount(2);

    expect(collector.requests.map((r) => r.text)).toEqual([reportJson(1), reportJson(2)]);
    expect(h.states).toEqual(['retrying', 'ok']);
    expect(stateLines()).toEqual([
      'candor warn: telemetry endpoint unreachable, will retry (ECONNREFUSED)',
      'candor info: telemetry endpoint reachable again',
    ]);
    // Backoff doubles with each failure up to the maximum (random fixed at 0.5): 7.5, 15, 30, 30 ms.
    expect(h.retryDelays.slice(0, 3)).toEqual([8, 15, 30]);
    expect(h.retryDelays.slice(3).every((ms) => ms === 30)).toBe(true);
  });

  it('retries after 500, 408 and a timeout, then delivers; a flush() during the backoff sends nothing', async () => {
    const answers: Answer[] = [{ status: 500 }, { status: 408 }, 'hang', { status: 200 }];
    const collector = await collectorWith((i) => answers[i] ?? { status: 200 });
    const h = harness(() => collector.url, { timeoutMs: 150 });
    await h.outbox.add(reportJson(1));

    await h.sender.flush();
    expect(h.sender.state).toBe('retrying');
    expect(await h.sender.pending()).toBe(1);
    // The backoff is running: flush() leaves the report queued and opens no connection.
    expect(h.sender.nextAttemptAt()).toBeInstanceOf(Date);
    await h.sender.flush();
    expect(collector.connections).toBe(1);
    await waitOver(h.sender);
    await h.sender.flush();
    expect(await h.sender.pending()).toBe(1);
    await waitOver(h.sender);
    await h.sender.flush(); // the collector never answers: times out
    expect(await h.sender.pending()).toBe(1);
    expect(h.retryDelays).toHaveLength(3);
    await waitOver(h.sender);
    await h.sender.flush();
    expect(await h.sender.pending()).toBe(0);
    expect(h.sender.nextAttemptAt()).toBeNull();
    expect(collector.requests).toHaveLength(4);
    expect(h.states).toEqual(['retrying', 'ok']);
    // One line per change of state or of its cause: an answer that failed, then no answer at all.
    expect(stateLines()).toEqual([
      'candor warn: telemetry endpoint answered HTTP 500 Internal Server Error, will retry',
      'candor warn: telemetry endpoint unreachable, will retry (timeout after 150 ms)',
      'candor info: telemetry endpoint reachable again',
    ]);
  });

  it('honours Retry-After on 429 as the floor of the next delay', async () => {
    const collector = await collectorWith((i) => (i === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 }));
    const h = harness(() => collector.url);
    await h.outbox.add(reportJson(1));
    h.sender.start();
    await h.deliveredCount(1);
    // The backoff alone would have been 8 ms.
    expect(h.retryDelays).toEqual([1000]);
    expect(collector.requests).toHaveLength(2);
  });

  it('caps a Retry-After at maxRetryAfterMs', async () => {
    const collector = await collectorWith(() => ({ status: 503, headers: { 'Retry-After': '86400' } }));
    const h = harness(() => collector.url, { maxRetryAfterMs: 25 });
    await h.outbox.add(reportJson(1));
    await h.sender.flush();
    expect(h.retryDelays).toEqual([25]);
  });

  it.each([400, 413])('moves a report refused with %i to rejected/ with a reason file, and goes on with the next', async (status) => {
    const collector = await collectorWith((i) => (i === 0 ? { status, body: 'schema_version unsupported' } : { status: 200 }));
    const h = harness(() => collector.url);
    const refused = await h.outbox.add(reportJson(1));
    await h.outbox.add(reportJson(2));
    await h.sender.flush();
    expect(collector.requests.map((r) => r.text)).toEqual([reportJson(1), reportJson(2)]);
    expect(await h.sender.pending()).toBe(0);
    expect(h.retryDelays).toEqual([]);
    const rejected = join(dir, 'outbox', 'rejected');
    expect(readdirSync(rejected).sort()).toEqual([`${refused.id}.json.gz`, `${refused.id}.reason.txt`]);
    expect(readFileSync(join(rejected, `${refused.id}.reason.txt`), 'utf8')).toContain(`HTTP ${status}`);
    expect(readFileSync(join(rejected, `${refused.id}.reason.txt`), 'utf8')).toContain('schema_version unsupported');
    expect(logs.lines.filter((line) => line.includes('rejected'))).toHaveLength(1);
    expect(h.ledger.list()).toHaveLength(1);
  });

  it('moves a corrupt outbox file to corrupt/ with a log line naming it, and delivers the rest', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    const h = harness(() => collector.url);
    const outboxDir = join(dir, 'outbox');
    writeFileSync(join(outboxDir, '0000000000001-000001-0000000a.json.gz'), 'plain text, not gzip');
    const { gzipSync } = await import('node:zlib');
    writeFileSync(join(outboxDir, '0000000000002-000001-0000000b.json.gz'), gzipSync('{"truncated": '));
    await h.outbox.add(reportJson(1));
    await h.sender.flush();
    expect(collector.requests.map((r) => r.text)).toEqual([reportJson(1)]);
    expect(readdirSync(join(outboxDir, 'corrupt')).sort()).toEqual([
      '0000000000001-000001-0000000a.json.gz',
      '0000000000002-000001-0000000b.json.gz',
    ]);
    expect(readFileSync(join(outboxDir, 'corrupt', '0000000000001-000001-0000000a.json.gz'), 'utf8')).toBe('plain text, not gzip');
    const named = logs.lines.filter((line) => line.includes('corrupt'));
    expect(named).toHaveLength(2);
    expect(named[0]).toContain(join(outboxDir, '0000000000001-000001-0000000a.json.gz'));
    expect(named[1]).toContain(join(outboxDir, '0000000000002-000001-0000000b.json.gz'));
  });

  it('opens no socket and resolves no name while the gate is off', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    const probe = networkProbe();
    let sending = false;
    const h = harness(() => `http://localhost:${collector.port}/`, { gate: () => ({ sending }) });
    for (let n = 1; n <= 3; n += 1) await h.outbox.add(reportJson(n));
    h.sender.start();
    await h.sender.flush();
    h.sender.wake();
    await h.sender.flush();
    expect(collector.connections).toBe(0);
    expect(probe).toEqual({ requests: 0, sockets: 0, lookups: 0 });
    expect(await h.sender.pending()).toBe(3);
    expect(h.sender.state).toBe('off');
    expect(stateLines()).toEqual(['candor info: telemetry sending is off; reports wait in the outbox']);

    // The probe does count: the same sender with the gate open resolves and connects.
    sending = true;
    h.sender.wake();
    await h.deliveredCount(3);
    expect(probe.lookups).toBeGreaterThan(0);
    expect(probe.sockets).toBe(3);
    expect(collector.connections).toBe(3);
  });

  it('stops further attempts at once when the gate closes after the first of several deliveries', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    let sending = true;
    const h = harness(() => collector.url, {
      gate: () => ({ sending }),
      onDelivered: () => {
        sending = false;
      },
    });
    for (let n = 1; n <= 4; n += 1) await h.outbox.add(reportJson(n));
    await h.sender.flush();
    expect(collector.requests.map((r) => r.text)).toEqual([reportJson(1)]);
    expect(collector.connections).toBe(1);
    expect(await h.sender.pending()).toBe(3);
    expect(h.states).toEqual(['ok', 'off']);
  });

  it('aborts the request in flight when woken with the gate closed; the report stays queued', async () => {
    const collector = await collectorWith(() => 'hang');
    let sending = true;
    const h = harness(() => collector.url, { gate: () => ({ sending }), timeoutMs: 60_000 });
    await h.outbox.add(reportJson(1));
    const flushing = h.sender.flush();
    await collector.waitForRequests(1);
    sending = false;
    h.sender.wake();
    await flushing;
    await collector.allClosed();
    expect(h.sender.state).toBe('off');
    expect(await h.sender.pending()).toBe(1);
    expect(h.retryDelays).toEqual([]);
    expect(collector.connections).toBe(1);
  });

  it('stays off without an endpoint, and picks a new endpoint up on the next attempt', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    let endpoint: string | null = null;
    const h = harness(() => endpoint);
    await h.outbox.add(reportJson(1));
    await h.sender.flush();
    expect(h.sender.state).toBe('off');
    expect(stateLines()).toEqual(['candor info: no telemetry endpoint is configured; reports wait in the outbox']);
    endpoint = collector.url;
    await h.sender.flush();
    expect(collector.requests).toHaveLength(1);
    expect(h.states).toEqual(['off', 'ok']);
  });

  it('stop() aborts a hanging request and schedules no retry for it', async () => {
    const collector = await collectorWith(() => 'hang');
    const h = harness(() => collector.url, { timeoutMs: 60_000 });
    await h.outbox.add(reportJson(1));
    h.sender.start();
    await collector.waitForRequests(1);
    await h.sender.stop();
    await collector.allClosed();
    expect(await h.sender.pending()).toBe(1);
    expect(collector.requests).toHaveLength(1);
    expect(h.retryDelays).toEqual([]);
  });

  it('stop() during a backoff cancels the retry timer: the retry that was due never comes', async () => {
    const collector = await collectorWith(() => ({ status: 500 }));
    // random 0.5: the first retry is due 75 ms after the failed attempt.
    const h = harness(() => collector.url, { baseBackoffMs: 100, maxBackoffMs: 100 });
    await h.outbox.add(reportJson(1));
    h.sender.start();
    await h.retryCount(1);
    expect(h.retryDelays).toEqual([75]);
    await h.sender.stop();

    // A twin sender started after stop(), retrying after 150 ms: when its retry reaches the
    // collector, the stopped sender's 75 ms timer would long have fired, had it still run.
    const twinOutbox = new Outbox({ dir: join(dir, 'twin-outbox') });
    const twin = new Sender({
      outbox: twinOutbox,
      ledger: new Ledger({ dir: join(dir, 'twin-history') }),
      endpoint: () => collector.url,
      gate: () => ({ sending: true }),
      userAgent: 'Candor/1.2.3',
      baseBackoffMs: 200,
      maxBackoffMs: 200,
      random: () => 0.5,
    });
    cleanups.push(() => twin.stop());
    await twinOutbox.add(reportJson(2));
    twin.start();
    const twinRequests = (): number => collector.requests.filter((r) => r.text === reportJson(2)).length;
    const deadline = Date.now() + 10_000;
    while (twinRequests() < 2) {
      if (Date.now() > deadline) throw new Error('the twin sender never retried');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    expect(collector.requests.filter((r) => r.text === reportJson(1))).toHaveLength(1);
    expect(h.retryDelays).toEqual([75]);
    expect(await h.sender.pending()).toBe(1);
  });

  it('reports the duration of every attempt', async () => {
    const collector = await collectorWith((i) => (i === 0 ? { status: 500 } : { status: 200 }));
    const timings: number[] = [];
    const h = harness(() => collector.url, { timing: (ms) => timings.push(ms) });
    await h.outbox.add(reportJson(1));
    await h.sender.flush();
    await waitOver(h.sender);
    await h.sender.flush();
    expect(timings).toHaveLength(2);
    expect(timings.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
    expect(existsSync(join(dir, 'history', 'history.jsonl'))).toBe(true);
  });

  it("sends each report's report_id as its Idempotency-Key, the same on every copy; a report without one goes without the header", async () => {
    const collector = await collectorWith((i) => (i === 0 ? { status: 503 } : { status: 200 }));
    const h = harness(() => collector.url);
    const first = reportJson(1, { reportId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' });
    const second = reportJson(2, { reportId: '9f3c1e27-5a0d-4c4e-8f6b-2d7e1a9c0b13' });
    const old = reportJson(3); // payload v1: no report_id
    await h.outbox.add(first);
    await h.outbox.add(second);
    await h.outbox.add(old);
    h.sender.start();
    await h.deliveredCount(3);

    expect(collector.requests.map((r) => [r.text, r.headers['idempotency-key']])).toEqual([
      [first, '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'],
      [first, '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'],
      [second, '9f3c1e27-5a0d-4c4e-8f6b-2d7e1a9c0b13'],
      [old, undefined],
    ]);
    expect(collector.requests.map((r) => Object.keys(r.headers).includes('idempotency-key'))).toEqual([true, true, true, false]);
  });

  it('moves a stored report whose report_id is not a UUID v4 to corrupt/, naming the field, and sends it under no key', async () => {
    const collector = await collectorWith(() => ({ status: 200 }));
    const h = harness(() => collector.url);
    const outboxDir = join(dir, 'outbox');
    const { gzipSync } = await import('node:zlib');
    // Written by hand: outbox.add() refuses such a report (reportMeta throws).
    const bad = reportJson(1, { reportId: 'not-a-uuid\r\nX-Injected: 1' });
    writeFileSync(join(outboxDir, '0000000000001-000001-0000000a.json.gz'), gzipSync(bad));
    await expect(h.outbox.add(bad)).rejects.toThrow(/report_id .* is not a UUID v4/);
    await h.outbox.add(reportJson(2, { reportId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' }));
    await h.sender.flush();
    expect(collector.requests.map((r) => r.text)).toEqual([reportJson(2, { reportId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' })]);
    expect(readdirSync(join(outboxDir, 'corrupt'))).toEqual(['0000000000001-000001-0000000a.json.gz']);
    const named = logs.lines.filter((line) => line.includes('corrupt'));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/report_id "not-a-uuid.* is not a UUID v4/);
  });
});
