import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';
import { Outbox } from '../../main/send/outbox.js';
import { Scheduler } from '../../main/send/scheduler.js';
import { Sender, type SenderOptions } from '../../main/send/sender.js';
import { startCollector, type Collector } from '../support/collector.js';
import { captureLog, reportJson } from './collector.js';

// Issue 13 item 4: after a second 429 a scheduled report went out 16.5 s later, because
// flush() ignored the backoff and Retry-After. Here a real collector on 127.0.0.1 answers
// 429 with a short Retry-After twice, and while that wait runs every way a report can
// be pushed out is tried: a scheduled run (the real Scheduler, producing the way the
// agent's sendNow does: queue, then flush()), a bare flush(), a wake() for a new report,
// and the gate closing and opening again. The bound checked is "not before": no request
// arrives before the second 429's answer + Retry-After. That is a correctness bound
// measured on the collector's clock, not a speed assertion.

let dir: string;
let logs: ReturnType<typeof captureLog>;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-retry-after-'));
  logs = captureLog();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.restore();
  rmSync(dir, { recursive: true, force: true });
});

const REPORT_IDS = ['0d7f1e52-7c1a-4b8e-9a35-6b2f4c8d1e90', '5a6b7c8d-1e2f-4a3b-8c4d-5e6f7a8b9c0d', 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f'];
const report = (n: number): string => reportJson(n, { reportId: REPORT_IDS[n - 1] ?? '' });

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function pipeline(
  name: string,
  endpoint: () => string | null,
  extra: Partial<SenderOptions> = {},
): { outbox: Outbox; sender: Sender; retryDelays: number[] } {
  const outbox = new Outbox({ dir: join(dir, name, 'outbox') });
  const retryDelays: number[] = [];
  const sender = new Sender({
    outbox,
    ledger: new Ledger({ dir: join(dir, name, 'history') }),
    endpoint,
    gate: () => ({ sending: true }),
    userAgent: 'Candor/test',
    timeoutMs: 10_000,
    // A backoff far below the Retry-After: whatever holds the reports back is the collector's wait.
    baseBackoffMs: 10,
    maxBackoffMs: 40,
    random: () => 0.5,
    onRetryScheduled: (ms) => retryDelays.push(ms),
    ...extra,
  });
  cleanups.push(() => sender.stop());
  return { outbox, sender, retryDelays };
}

async function collector(): Promise<Collector> {
  const started = await startCollector();
  cleanups.push(() => started.close());
  return started;
}

interface Run {
  /** The collector's clock: its second 429 answer + Retry-After. */
  bound: number;
  /** When the last push had returned; after `bound` the run proves nothing (a stalled machine). */
  pushedAt: number;
  received: Collector['received'];
  nextAttemptAt: Date | null;
}

/** One scenario with the given Retry-After, in its own directory and collector. */
async function afterSecond429(retryAfterS: number): Promise<Run> {
  const server = await collector();
  const tooMany = { status: 429, headers: { 'Retry-After': String(retryAfterS) } };
  server.script([tooMany, tooMany]);
  let sending = true;
  const { outbox, sender, retryDelays } = pipeline(`ra-${retryAfterS}`, () => server.url, { gate: () => ({ sending }) });
  await outbox.add(report(1));
  sender.start();
  // The sender has taken the second 429 in: its wait is scheduled.
  await until(() => retryDelays.length >= 2, 'the second 429 to be taken in');
  const secondAnswer = server.received[1]?.answeredAt ?? Number.NaN;
  const bound = secondAnswer + retryAfterS * 1000;

  // The scheduled path: the real Scheduler, producing as the agent does (queue, then flush).
  let scheduled!: () => void;
  const produced = new Promise<void>((resolve) => (scheduled = resolve));
  const scheduler = new Scheduler({
    firstDelayMs: 0,
    intervalMs: 3_600_000,
    produce: async () => {
      await outbox.add(report(2));
      await sender.flush();
      scheduled();
    },
  });
  cleanups.push(() => scheduler.stop());
  scheduler.start();
  await produced;
  // A bare flush() of a new report, and the wake() a new report or a settings change gives.
  await outbox.add(report(3));
  await sender.flush();
  sender.wake();
  // The gate closes and opens again (a pause and a resume): the wait stays.
  sending = false;
  sender.wake();
  sending = true;
  sender.wake();
  await sender.flush();
  const pushedAt = Date.now();
  const nextAttemptAt = sender.nextAttemptAt();

  await until(async () => (await outbox.list()).length === 0, 'the outbox to drain once the wait is over');
  return { bound, pushedAt, received: server.received, nextAttemptAt };
}

describe('a running Retry-After holds every path', () => {
  it('after a second 429, neither a scheduled report, flush(), wake() nor the gate reopening reaches the collector before Retry-After', async () => {
    // Under heavy load the pushes might only happen after a short wait is over, which
    // would prove nothing: then the same scenario runs again with a longer Retry-After.
    let run: Run | null = null;
    for (const retryAfterS of [2, 5, 12]) {
      const attempt = await afterSecond429(retryAfterS);
      if (attempt.pushedAt < attempt.bound) {
        run = attempt;
        break;
      }
    }
    if (run === null) throw new Error('the machine was too slow to push reports while even a 12 s Retry-After ran');

    const [first, second, ...after] = run.received;
    expect([first?.status, second?.status]).toEqual([429, 429]);
    // Report 1 again, then reports 2 and 3: each once, all after the wait, all with their key.
    expect(after.map((r) => r.body)).toEqual([report(1), report(2), report(3)]);
    for (const request of after) expect(request.arrivedAt).toBeGreaterThanOrEqual(run.bound);
    expect(after.map((r) => r.headers['idempotency-key'])).toEqual(REPORT_IDS);
    // What status will show: the end of the wait, not before the collector's bound.
    expect(run.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(run.bound);
  }, 120_000);

  it('logs a 429 as a request to wait, once for two answers, never as unreachable', async () => {
    const server = await collector();
    const tooMany = { status: 429, headers: { 'Retry-After': '3600' } };
    server.script([tooMany, tooMany]);
    // The cap keeps this test short: each wait lasts 100 ms instead of the hour asked for.
    const { outbox, sender } = pipeline('log', () => server.url, { maxRetryAfterMs: 100 });
    await outbox.add(report(1));
    await sender.flush();
    await until(() => sender.nextAttemptAt() === null, 'the first wait to end');
    await sender.flush();
    expect(server.received.map((r) => r.status)).toEqual([429, 429]);
    await until(() => sender.nextAttemptAt() === null, 'the second wait to end');
    await sender.flush();
    expect(await outbox.list()).toEqual([]);

    expect(logs.lines.filter((line) => /telemetry (endpoint|sending)/.test(line))).toEqual([
      'candor warn: telemetry endpoint asked us to wait 3600 s (HTTP 429); waiting at most 1 s',
      'candor info: telemetry endpoint reachable again',
    ]);
    expect(logs.lines.join('\n')).not.toMatch(/unreachable/);
  });

  it('says how long is left when the gate reopens during a wait', async () => {
    const server = await collector();
    server.script([{ status: 503, headers: { 'Retry-After': '3600' } }]);
    let sending = true;
    const { outbox, sender } = pipeline('reopen', () => server.url, { gate: () => ({ sending }) });
    await outbox.add(report(1));
    await sender.flush();
    sending = false;
    sender.wake();
    sending = true;
    sender.wake();
    await sender.flush();
    expect(server.received).toHaveLength(1);
    expect(sender.state).toBe('retrying');
    expect(logs.lines.filter((line) => /telemetry (endpoint|sending)/.test(line))).toEqual([
      'candor warn: telemetry endpoint asked us to wait 3600 s (HTTP 503)',
      'candor info: telemetry sending is off; reports wait in the outbox',
      expect.stringMatching(
        /^candor warn: telemetry sending is on; next attempt in 3[56]\d\d s \(the telemetry endpoint asked us to wait, HTTP 503\)$/,
      ),
    ]);
  });

  it('a new endpoint ends the wait the previous one asked for', async () => {
    const busy = await collector();
    busy.script([{ status: 429, headers: { 'Retry-After': '3600' } }]);
    const other = await collector();
    let endpoint = busy.url;
    const { outbox, sender } = pipeline('endpoint', () => endpoint);
    await outbox.add(report(1));
    await sender.flush();
    const waitEnd = sender.nextAttemptAt();
    expect(waitEnd?.getTime()).toBeGreaterThanOrEqual((busy.received[0]?.answeredAt ?? 0) + 3_600_000);
    // The same endpoint: the report waits (flush() has made its decision when it resolves).
    await sender.flush();
    expect(busy.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);

    endpoint = other.url;
    await sender.flush();
    expect(other.received.map((r) => r.body)).toEqual([report(1)]);
    expect(busy.received).toHaveLength(1);
    expect(sender.nextAttemptAt()).toBeNull();
    expect(logs.lines).toContain('candor info: telemetry endpoint changed; the wait for the previous endpoint no longer applies');
  });

  it('nextAttemptAt() is null with nothing to wait for, the end of the wait during one, and null again after delivery', async () => {
    const server = await collector();
    server.script([{ status: 503, headers: { 'Retry-After': '1' } }]);
    const { outbox, sender } = pipeline('next', () => server.url);
    expect(sender.nextAttemptAt()).toBeNull();
    await outbox.add(report(1));
    await sender.flush();
    const answered = server.received[0]?.answeredAt ?? Number.NaN;
    expect(sender.nextAttemptAt()?.getTime()).toBeGreaterThanOrEqual(answered + 1000);
    sender.start();
    await until(async () => (await outbox.list()).length === 0, 'delivery after the wait');
    expect(server.received[1]?.arrivedAt).toBeGreaterThanOrEqual(answered + 1000);
    expect(sender.nextAttemptAt()).toBeNull();
  });
});
