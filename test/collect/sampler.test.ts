import { describe, expect, it, vi } from 'vitest';
import { createSampler, type SamplerSource } from '../../main/collect/sampler.js';
import { setLogSink } from '../../main/util/log.js';

interface Step {
  cpu?: number | 'throw' | 'hang';
  memUsed?: number | 'throw' | 'hang';
  read?: number | null | 'throw';
  write?: number | null;
}

/** A source that answers tick i with steps[i]; memory total is 1000 so memUsed 10 means 1 %. */
function scripted(steps: Step[]): SamplerSource & { calls: { currentLoad: number } } {
  let cpuI = 0;
  let memI = 0;
  let fsI = 0;
  const calls = { currentLoad: 0 };
  return {
    calls,
    currentLoad: async () => {
      calls.currentLoad++;
      const v = steps[cpuI++]?.cpu ?? 0;
      if (v === 'throw') throw new Error('proc/stat unreadable');
      if (v === 'hang') return new Promise(() => undefined);
      return { currentLoad: v };
    },
    mem: async () => {
      const v = steps[memI++]?.memUsed ?? 0;
      if (v === 'throw') throw new Error('meminfo unreadable');
      if (v === 'hang') return new Promise(() => undefined);
      return { total: 1000, available: 1000 - v };
    },
    fsStats: async () => {
      const s = steps[fsI++];
      if (s?.read === 'throw') throw new Error('lsblk missing');
      return { rx_sec: s?.read ?? null, wx_sec: s?.write ?? null };
    },
  };
}

/** A clock that the test moves. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('sampler aggregate and recent over injected sources', () => {
  it('says no samples yet before the first tick', () => {
    const sampler = createSampler({ intervalMs: 10_000, source: scripted([]) });
    expect(sampler.aggregate()).toEqual({ unavailable: true, reason: 'no samples yet' });
    expect(sampler.recent()).toEqual([]);
    expect(sampler.size).toBe(0);
    expect(sampler.intervalS).toBe(10);
  });

  it('gives exact min/avg/max/p95 per series, null where a series had no values', async () => {
    // cpu 1..20, memory 2..40 %, reads 100..2000 B/s, writes never reported, load 0.5..10.
    const steps: Step[] = Array.from({ length: 20 }, (_, i) => ({ cpu: i + 1, memUsed: 20 * (i + 1), read: 100 * (i + 1), write: null }));
    const loads = Array.from({ length: 20 }, (_, i) => 0.5 * (i + 1));
    let loadI = 0;
    const c = clock();
    const sampler = createSampler({ intervalMs: 10_000, source: scripted(steps), now: c.now, loadavg: () => [loads[loadI++] ?? 0, 0, 0] });
    for (let i = 0; i < 20; i++) {
      await sampler.tick();
      c.advance(10_000);
    }
    expect(sampler.aggregate()).toEqual({
      samples: 20,
      window_s: 200, // 19 gaps of 10 s plus the interval the first sample stands for
      cpu_pct: { min: 1, avg: 10.5, max: 20, p95: 19 },
      mem_used_pct: { min: 2, avg: 21, max: 40, p95: 38 },
      disk_read_bps: { min: 100, avg: 1050, max: 2000, p95: 1900 },
      disk_write_bps: null,
      load_avg_1m: { min: 0.5, avg: 5.25, max: 10, p95: 9.5 },
    });
  });

  it('lists recent samples newest first with their age, and honours the limit', async () => {
    const c = clock();
    const sampler = createSampler({
      intervalMs: 5000,
      source: scripted([
        { cpu: 10, memUsed: 100 },
        { cpu: 20, memUsed: 200 },
        { cpu: 30, memUsed: 300 },
      ]),
      now: c.now,
    });
    for (let i = 0; i < 3; i++) {
      await sampler.tick();
      c.advance(5000);
    }
    expect(sampler.recent()).toEqual([
      { age_s: 5, cpu_pct: 30, mem_used_pct: 30 },
      { age_s: 10, cpu_pct: 20, mem_used_pct: 20 },
      { age_s: 15, cpu_pct: 10, mem_used_pct: 10 },
    ]);
    expect(sampler.recent(1)).toEqual([{ age_s: 5, cpu_pct: 30, mem_used_pct: 30 }]);
    expect(sampler.recent(0)).toEqual([]);
    expect(sampler.recent(99)).toHaveLength(3);
    expect(() => sampler.recent(-1)).toThrow(/limit must be a non-negative integer, got -1/);
    expect(() => sampler.recent(1.5)).toThrow(/limit/);
  });

  it('keeps at most capacity samples, the newest ones, after capacity + N ticks', async () => {
    const c = clock();
    const steps: Step[] = Array.from({ length: 12 }, (_, i) => ({ cpu: i + 1, memUsed: 10 }));
    const sampler = createSampler({ intervalMs: 1000, capacity: 5, source: scripted(steps), now: c.now });
    for (let i = 0; i < 12; i++) {
      await sampler.tick();
      c.advance(1000);
    }
    expect(sampler.size).toBe(5);
    expect(sampler.aggregate()).toMatchObject({ samples: 5, window_s: 5, cpu_pct: { min: 8, max: 12, avg: 10, p95: 12 } });
    expect(sampler.recent().map((s) => s.cpu_pct)).toEqual([12, 11, 10, 9, 8]);
  });

  it('skips and counts a tick whose CPU probe throws or hangs, or whose memory probe throws, and keeps going', async () => {
    const sampler = createSampler({
      intervalMs: 1000,
      timeoutMs: 50,
      source: scripted([
        { cpu: 10, memUsed: 100 },
        { cpu: 'throw', memUsed: 100 },
        { cpu: 'hang', memUsed: 100 },
        { cpu: 40, memUsed: 'throw' },
        { cpu: 50, memUsed: 'hang' },
        { cpu: 60, memUsed: 600 },
      ]),
    });
    const lines: string[] = [];
    const previous = setLogSink((_level, line) => lines.push(line));
    try {
      for (let i = 0; i < 6; i++) await sampler.tick();
    } finally {
      setLogSink(previous);
    }
    expect(lines).toContain('candor warn: load sample skipped: currentLoad failed: proc/stat unreadable');
    expect(sampler.skipped).toBe(4);
    expect(sampler.size).toBe(2);
    expect(sampler.recent().map((s) => s.cpu_pct)).toEqual([60, 10]);
  });

  it('records a sample with null disk rates when only the disk probe fails', async () => {
    const sampler = createSampler({ intervalMs: 1000, source: scripted([{ cpu: 10, memUsed: 100, read: 'throw' }]), loadavg: () => [] });
    await sampler.tick();
    expect(sampler.skipped).toBe(0);
    expect(sampler.aggregate()).toMatchObject({
      samples: 1,
      disk_read_bps: null,
      disk_write_bps: null,
      load_avg_1m: null,
      cpu_pct: { min: 10 },
    });
  });

  it('shares a tick still in flight instead of stacking a second one', async () => {
    const source = scripted([
      { cpu: 10, memUsed: 100 },
      { cpu: 20, memUsed: 100 },
    ]);
    const sampler = createSampler({ intervalMs: 1000, source });
    await Promise.all([sampler.tick(), sampler.tick()]);
    expect(source.calls.currentLoad).toBe(1);
    expect(sampler.size).toBe(1);
  });

  it('start() takes the CPU baseline at once without blocking, samples on the timer, and stop() ends it', async () => {
    let baselineDone = false;
    const source = scripted(Array.from({ length: 1000 }, () => ({ cpu: 5, memUsed: 100 })));
    const slowFirst: SamplerSource = {
      ...source,
      // Like systeminformation: the first currentLoad() takes a while.
      currentLoad: () =>
        source.calls.currentLoad === 0
          ? source.currentLoad().then(
              (v) =>
                new Promise((r) =>
                  setTimeout(() => {
                    baselineDone = true;
                    r(v);
                  }, 100),
                ),
            )
          : source.currentLoad(),
    };
    const sampler = createSampler({ intervalMs: 20, source: slowFirst });
    sampler.start();
    expect(source.calls.currentLoad).toBe(1); // baseline requested synchronously
    expect(baselineDone).toBe(false); // start() did not wait for it
    expect(sampler.aggregate()).toEqual({ unavailable: true, reason: 'no samples yet' }); // nor does aggregate()
    await vi.waitFor(() => expect(sampler.size).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 10 });
    sampler.stop();
    await new Promise((r) => setTimeout(r, 30)); // let a tick already in flight land
    const after = sampler.size;
    await new Promise((r) => setTimeout(r, 100));
    expect(sampler.size).toBe(after);
  });

  it('rejects bad options, naming the option', () => {
    expect(() => createSampler({ intervalMs: 0 })).toThrow(/intervalMs must be a positive number of milliseconds, got 0/);
    expect(() => createSampler({ intervalMs: Number.POSITIVE_INFINITY })).toThrow(/intervalMs/);
    expect(() => createSampler({ intervalMs: 1000, capacity: 0 })).toThrow(/capacity must be a positive integer, got 0/);
    expect(() => createSampler({ intervalMs: 1000, capacity: 2.5 })).toThrow(/capacity/);
    expect(() => createSampler({ intervalMs: 1000, timeoutMs: -5 })).toThrow(/timeoutMs must be a positive number of milliseconds, got -5/);
  });
});
