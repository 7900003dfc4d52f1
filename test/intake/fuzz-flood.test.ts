import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../main/intake/limits.js';
import { childReaper } from '../support/child.js';
import {
  attr,
  counter,
  counterPoint,
  JSON_TYPE,
  metricsRequest,
  PROTOBUF_TYPE,
  protobufOf,
  send,
  type Json,
} from './support/otlp-bodies.js';

// A million distinct series from 40 apps, against the built intake in its own process:
// every request is answered 200, the excess is dropped and counted by reason, and the
// process's heap stays within the stated bound (DEFAULT_LIMITS.maxTotalBytes of
// aggregates, measured after garbage collection).

const reaper = childReaper();
let child: ChildProcess;
let port: number;

interface Memory {
  baseline: { heapUsed: number; rss: number };
  now: { heapUsed: number; rss: number; external: number; arrayBuffers: number };
  stats: { memory: { estimated_bytes: number; max_bytes: number }; refused: Record<string, number>; requests: Record<string, number> };
  sources: { name: string; seen: boolean; memory_bytes: number; counts: { data_points: number } }[];
  dropped: Record<string, Record<string, number>>;
}

beforeAll(async () => {
  child = reaper.track(
    fork(fileURLToPath(new URL('./support/flood-server.mjs', import.meta.url)), [JSON.stringify({})], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const [message] = (await once(child, 'message')) as [{ port: number }];
  port = message.port;
});
afterAll(() => reaper.reap());

async function memory(): Promise<Memory> {
  const answer = once(child, 'message') as Promise<[Memory]>;
  child.send({ cmd: 'memory' });
  return (await answer)[0];
}

const APPS = 40;
const REQUESTS = 50;
const POINTS = 20_000;
const METRICS = 10;

it(
  'a million distinct series from 40 apps: all answered, the excess counted, the heap within the bound',
  { timeout: 300_000 },
  async () => {
    let series = 0;
    let shed = 0;
    for (let r = 0; r < REQUESTS; r++) {
      const app = `flood-app-${r % APPS}`;
      const metrics: Json[] = [];
      for (let m = 0; m < METRICS; m++) {
        const points: Json[] = [];
        for (let p = 0; p < POINTS / METRICS; p++)
          points.push(counterPoint(1, [attr('user.id', `u${series++}`), attr('route', `/r/${p % 7}`)]));
        metrics.push(counter(`flood.requests.m${m}`, points));
      }
      const request = metricsRequest(app, metrics);
      const json = r % 2 === 0;
      const body = json ? Buffer.from(JSON.stringify(request)) : protobufOf('metrics', request);
      // As an SDK does: a 429/503 is retried after its Retry-After.
      for (;;) {
        const answer = await send(port, '/v1/metrics', body, json ? JSON_TYPE : PROTOBUF_TYPE);
        if (answer.status === 429 || answer.status === 503) {
          shed++;
          await new Promise((resolve) => setTimeout(resolve, Number(answer.headers['retry-after']) * 1000));
          continue;
        }
        expect(answer.status, `request ${r}`).toBe(200);
        break;
      }
    }
    expect(series).toBe(REQUESTS * POINTS);

    const m = await memory();
    const bound = DEFAULT_LIMITS.maxTotalBytes;
    // The intake's own account stays within its bound ...
    expect(m.stats.memory.max_bytes).toBe(bound);
    expect(m.stats.memory.estimated_bytes).toBeLessThanOrEqual(bound);
    // ... and so does what the process really holds for it (heap after GC, over the idle baseline).
    const grown = m.now.heapUsed - m.baseline.heapUsed;
    expect(grown).toBeLessThanOrEqual(bound);
    // 40 apps, 32 held; the other 8 refused and counted.
    expect(m.sources.filter((s) => s.seen)).toHaveLength(DEFAULT_LIMITS.maxSources);
    expect(m.stats.refused['too_many_sources']).toBeGreaterThan(0);
    // Each held app took its series up to the bounds; the rest was dropped and counted.
    for (const dropped of Object.values(m.dropped)) expect(dropped['series_limit'] ?? 0).toBeGreaterThan(0);
    // Whatever the CPU budget made it shed (429, counted) was sent again and taken.
    expect(m.stats.requests['shed_busy'] ?? 0).toBe(shed);
    expect(m.stats.requests['ok']).toBe(REQUESTS);
    console.log(
      `flood: ${shed} answers shed; heap +${(grown / 1048576).toFixed(1)} MiB (estimate ${(m.stats.memory.estimated_bytes / 1048576).toFixed(1)} MiB, bound ${bound / 1048576} MiB), rss ${(m.now.rss / 1048576).toFixed(0)} MiB`,
    );
  },
);
