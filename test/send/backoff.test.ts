import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../main/send/backoff.js';
import { parseRetryAfter } from '../../main/send/retry-after.js';
import { jitteredInterval } from '../../main/send/scheduler.js';

describe('backoffDelay', () => {
  it('doubles per attempt within [ceiling/2, ceiling] and stops at the maximum', () => {
    const low = (attempt: number): number => backoffDelay(attempt, { baseMs: 100, maxMs: 1000, random: () => 0 });
    const high = (attempt: number): number => backoffDelay(attempt, { baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 10, 1000].map(low)).toEqual([50, 100, 200, 400, 500, 500, 500]);
    expect([0, 1, 2, 3, 4, 10, 1000].map(high)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('uses the injected random for the jitter', () => {
    expect(backoffDelay(2, { baseMs: 100, maxMs: 10_000, random: () => 0.5 })).toBe(300);
    expect(backoffDelay(-3, { baseMs: 100, random: () => 0.5 })).toBe(75);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it.each([
    ['0', 0],
    ['7', 7000],
    [' 120 ', 120_000],
    ['Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['Sun, 01 Mar 2026 11:00:00 GMT', 0],
  ])('%j -> %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, '', '-5', '1.5', 'soon', 'Tomorrow-ish'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
  });
});

describe('jitteredInterval', () => {
  it('varies by at most ±jitter', () => {
    expect(jitteredInterval(1000, 0.1, () => 0)).toBe(900);
    expect(jitteredInterval(1000, 0.1, () => 0.5)).toBe(1000);
    expect(jitteredInterval(1000, 0.1, () => 0.999999)).toBe(1100);
    expect(jitteredInterval(1000, 0, () => 0)).toBe(1000);
  });
});
