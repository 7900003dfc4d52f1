import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../main/send/scheduler.js';
import { captureLog } from './collector.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0.5;
}

describe('Scheduler', () => {
  it('runs first after the first delay, then every interval with ±jitter', async () => {
    const runs: number[] = [];
    const scheduler = new Scheduler({
      firstDelayMs: 1_000,
      intervalMs: 10_000,
      jitter: 0.1,
      random: sequence([0, 0.999999, 0.5]),
      produce: async () => {
        runs.push(Date.now());
      },
    });
    scheduler.start();
    expect(scheduler.nextRunAt()?.getTime()).toBe(1_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toEqual([1_000]);
    await vi.advanceTimersByTimeAsync(40_000);
    // -10%, +10%, exact, then -10% again.
    expect(runs).toEqual([1_000, 10_000, 21_000, 31_000, 40_000]);
    scheduler.stop();
    expect(scheduler.nextRunAt()).toBeNull();
    await vi.advanceTimersByTimeAsync(100_000);
    expect(runs).toHaveLength(5);
  });

  it('measures the interval from the end of a slow run, so runs never overlap', async () => {
    let active = 0;
    let maxActive = 0;
    const ends: number[] = [];
    const scheduler = new Scheduler({
      firstDelayMs: 100,
      intervalMs: 1_000,
      jitter: 0,
      produce: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        active -= 1;
        ends.push(Date.now());
      },
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(20_000);
    scheduler.stop();
    expect(maxActive).toBe(1);
    expect(ends.slice(0, 3)).toEqual([5_100, 11_100, 17_100]);
  });

  it('keeps the schedule after a failing run and logs the failure', async () => {
    const logs = captureLog();
    try {
      let calls = 0;
      const scheduler = new Scheduler({
        firstDelayMs: 10,
        intervalMs: 100,
        jitter: 0,
        produce: async () => {
          calls += 1;
          if (calls === 1) throw new Error('collector exploded');
        },
      });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(210);
      scheduler.stop();
      expect(calls).toBe(3);
      expect(logs.lines).toEqual(['candor error: scheduled telemetry report failed: collector exploded']);
    } finally {
      logs.restore();
    }
  });

  it('start() twice does not double the schedule', async () => {
    let calls = 0;
    const scheduler = new Scheduler({ firstDelayMs: 10, intervalMs: 100, jitter: 0, produce: async () => void (calls += 1) });
    scheduler.start();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(110);
    scheduler.stop();
    expect(calls).toBe(2);
  });
});
