import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dedupKey, startCollector, type Collector, type ReceivedRequest } from '../support/collector.js';
import { bundleChild } from './support/child-bundle.js';
import { recordFigures } from './support/figures.js';
import { runSeed, seeded } from './support/random.js';

// SIGKILL while the real sender delivers to a real collector on 127.0.0.1. A kill that
// lands after the collector took a report but before the agent recorded the delivery
// makes the next start send it again: a duplicate at the receiver (issue 10: 10 of 48
// reports arrived twice). Every copy must carry the report's report_id as its
// Idempotency-Key, so a receiver that deduplicates on it holds each report exactly once,
// and no report a child confirmed is lost. The duplicate deliveries are counted
// (CANDOR_FIGURES), not bounded: they are the price of never sending unrecorded.

let work: string;
let program: string;
let hook: string;
const collectors: Collector[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'candor-kill-send-'));
  program = await bundleChild(resolve(import.meta.dirname, 'support/kill-send-child.ts'), work, 'kill-send-child');
  hook = await bundleChild(resolve(import.meta.dirname, 'support/crash-hook.ts'), work, 'crash-hook');
}, 60_000);
afterEach(async () => {
  while (collectors.length > 0) await collectors.pop()?.close();
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function collector(random: () => number = () => 0): Promise<Collector> {
  // A short, varying answer delay widens the window between "the collector has it" and
  // "the agent knows": the window a kill has to hit to make a duplicate.
  const started = await startCollector({ deduplicate: true, answerDelayMs: () => Math.floor(random() * 25) });
  collectors.push(started);
  return started;
}

interface ChildRun {
  added: number[];
  delivered: number[];
  signal: NodeJS.Signals | null;
  code: number | null;
}

/** Runs the child once; with `killAfterMs`, SIGKILLs it that long after it is ready. */
function runChild(args: string[], opts: { killAfterMs?: number; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), program, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', ...opts.env },
    });
    const result: ChildRun = { added: [], delivered: [], signal: null, code: null };
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [what, value] = line.split(' ');
      if (what === 'ready' && opts.killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
      else if (what === 'added') result.added.push(Number(value));
      else if (what === 'delivered') result.delivered.push(Number(value));
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      result.code = code;
      result.signal = signal;
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`kill-send child ${args.join(' ')} ended with ${String(code)}:\n${stderr}`));
      else resolvePromise(result);
    });
  });
}

const serial = (request: ReceivedRequest): number => (JSON.parse(request.body) as { n: number }).n;

/** Copies received per report serial. */
function copiesBySerial(requests: readonly ReceivedRequest[]): Map<number, ReceivedRequest[]> {
  const bySerial = new Map<number, ReceivedRequest[]>();
  for (const request of requests) bySerial.set(serial(request), [...(bySerial.get(serial(request)) ?? []), request]);
  return bySerial;
}

/** Every copy of a report carries one key, in the header and in the body alike. */
function expectOneKeyPerReport(server: Collector, where: string): void {
  for (const [n, copies] of copiesBySerial(server.received)) {
    const keys = new Set(copies.map((copy) => copy.headers['idempotency-key']));
    expect(keys.size, `${where}: report ${n} was sent under ${keys.size} keys`).toBe(1);
    for (const copy of copies)
      expect(copy.headers['idempotency-key'], where).toBe((JSON.parse(copy.body) as { report_id: string }).report_id);
  }
}

describe('SIGKILL between delivery and its record', () => {
  it('a kill right after the history line, before the outbox file goes: the restart resends, the receiver holds one copy', async () => {
    const server = await collector();
    const dataDir = join(work, 'exact');
    const killed = await runChild([dataDir, '0', server.url, 'loop'], {
      nodeArgs: ['--import', hook],
      env: { CANDOR_CRASH_AFTER: 'write:history.jsonl' },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.added).toEqual([1]);
    expect(server.received.map(serial)).toEqual([1]);

    const drained = await runChild([dataDir, '1', server.url, 'drain']);
    expect(drained.delivered).toEqual([1]);
    expect(server.received.map(serial)).toEqual([1, 1]);
    expectOneKeyPerReport(server, 'exact');
    expect(server.held.map(serial)).toEqual([1]);
    expect(server.duplicates()).toBe(1);
  }, 60_000);
});

describe('SIGKILL loop while delivering', () => {
  const LANES = 2;
  const RUNS_PER_LANE = 30;

  it(`${LANES * RUNS_PER_LANE} kills while reports are queued and sent: 0 duplicates held at a deduplicating receiver, none lost`, async () => {
    const seed = runSeed();
    const server = await collector(seeded(seed ^ 0x5eed));
    const lanes = await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const random = seeded(seed + lane);
        const dataDir = join(work, `loop-${lane}`);
        const confirmed = new Set<number>();
        let kills = 0;
        // Runs of a lane share a data directory, one after another (one agent per
        // directory); the lane number keeps serials distinct across lanes.
        for (let run = 0; run < RUNS_PER_LANE; run++) {
          const result = await runChild([dataDir, String(lane * 1000 + run), server.url, 'loop'], {
            killAfterMs: 10 + random() * 140,
          });
          if (result.signal === 'SIGKILL') kills += 1;
          for (const n of result.added) confirmed.add(n);
        }
        await runChild([dataDir, String(lane * 1000 + RUNS_PER_LANE), server.url, 'drain']);
        return { confirmed, kills };
      }),
    );

    const where = `seed ${seed}`;
    expectOneKeyPerReport(server, where);
    const held = copiesBySerial(server.held);
    // Exactly once at the receiver: no report held twice (a resend under a new key would be).
    for (const [n, copies] of held) expect(copies.length, `${where}: report ${n} held ${copies.length} times`).toBe(1);
    expect(new Set(server.held.map((r) => dedupKey(r))).size, where).toBe(server.held.length);
    // None lost: every report a child confirmed reached the receiver.
    const confirmed = lanes.flatMap((lane) => [...lane.confirmed]);
    for (const n of confirmed) expect(held.has(n), `${where}: confirmed report ${n} never arrived`).toBe(true);
    expect(server.duplicates(), where).toBe(server.received.length - server.held.length);

    recordFigures('kill-send', {
      seed,
      kills: lanes.reduce((sum, lane) => sum + lane.kills, 0),
      confirmed_reports: confirmed.length,
      reports_held: server.held.length,
      requests_received: server.received.length,
      duplicate_deliveries: server.duplicates(),
      duplicates_held: 0,
    });
  }, 300_000);
});
