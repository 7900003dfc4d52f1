import { describe, expect, it } from 'vitest';
import { timerStats } from '../../main/collect/histogram.js';
import type { CoarseHistogram } from '../../main/intake/histogram-merge.js';
import { CounterSeries, CUMULATIVE, DELTA, HistogramSeries } from '../../main/intake/series.js';

// Running totals since the agent started, whatever the app's temporality: deltas add
// up; cumulative points are totals per start time (per process of the app), so
// restarts, resets and several processes add up instead of overwriting each other.

const labels = { categories: {}, hashed: {} };
const counter = (): CounterSeries => new CounterSeries(labels, 3);
const T1 = 1_700_000_000e9;
const T2 = T1 + 60e9;

describe('counters', () => {
  it('delta: the sum of the points', () => {
    const s = counter();
    for (const v of [3, 0, 4.5]) s.add(DELTA, T1, v);
    expect(s.total()).toBe(7.5);
  });

  it('cumulative: the latest value of a process, not the sum of its exports', () => {
    const s = counter();
    for (const v of [3, 5, 9]) s.add(CUMULATIVE, T1, v);
    expect(s.total()).toBe(9);
  });

  it('cumulative, the app restarts (new start time): both lifetimes count', () => {
    const s = counter();
    s.add(CUMULATIVE, T1, 9);
    s.add(CUMULATIVE, T2, 2);
    s.add(CUMULATIVE, T2, 4);
    expect(s.total()).toBe(13);
  });

  it('cumulative, two processes of the same app interleaving: each keeps its own total', () => {
    const s = counter();
    s.add(CUMULATIVE, T1, 100);
    s.add(CUMULATIVE, T2, 5);
    s.add(CUMULATIVE, T1, 110);
    s.add(CUMULATIVE, T2, 6);
    expect(s.total()).toBe(116);
  });

  it('cumulative, a reset under the same start time (value goes down): the old total is carried', () => {
    const s = counter();
    s.add(CUMULATIVE, 0, 50);
    s.add(CUMULATIVE, 0, 3);
    s.add(CUMULATIVE, 0, 7);
    expect(s.total()).toBe(57);
  });

  it('more processes than kept streams: the least recently updated is folded, its total kept', () => {
    const s = counter();
    s.add(CUMULATIVE, 1, 10);
    s.add(CUMULATIVE, 2, 20);
    s.add(CUMULATIVE, 3, 30);
    s.add(CUMULATIVE, 1, 11); // 1 is fresh again; 2 is now the oldest
    s.add(CUMULATIVE, 4, 40); // folds 2 (20 carried)
    expect(s.total()).toBe(11 + 20 + 30 + 40);
    s.add(CUMULATIVE, 3, 31);
    expect(s.total()).toBe(11 + 20 + 31 + 40);
  });
});

const h = (counts: number[], bounds = [10, 100]): CoarseHistogram => ({
  bounds,
  counts,
  count: counts.reduce((a, b) => a + b, 0),
  sum: NaN,
  min: NaN,
  max: NaN,
});

describe('histograms', () => {
  it('delta with the same bounds: added bucket by bucket', () => {
    const s = new HistogramSeries(labels, 3, 1);
    s.add(DELTA, 0, h([1, 2, 0]));
    s.add(DELTA, 0, h([0, 3, 1]));
    expect(timerStats(s.merged()).count).toBe(7);
  });

  it('delta with other bounds: both kept (the first folded into the fine layout)', () => {
    const s = new HistogramSeries(labels, 3, 1);
    const grew = s.add(DELTA, 0, h([1, 2, 0]));
    const more = s.add(DELTA, 0, h([0, 5], [50]));
    expect(grew).toBeGreaterThan(0);
    expect(more).toBeGreaterThan(0); // the fine array
    expect(timerStats(s.merged()).count).toBe(8);
  });

  it('cumulative: the latest per start time; a restart adds; a count that goes down is a reset', () => {
    const s = new HistogramSeries(labels, 3, 1);
    s.add(CUMULATIVE, T1, h([1, 0, 0]));
    s.add(CUMULATIVE, T1, h([1, 2, 0]));
    expect(timerStats(s.merged()).count).toBe(3);
    s.add(CUMULATIVE, T2, h([0, 0, 4]));
    expect(timerStats(s.merged()).count).toBe(7);
    s.add(CUMULATIVE, T2, h([0, 0, 1])); // reset of the second process: its 4 are carried
    expect(timerStats(s.merged()).count).toBe(8);
  });

  it('the scale converts every value into the reported unit', () => {
    const s = new HistogramSeries(labels, 3, 1000);
    s.add(DELTA, 0, { bounds: [1], counts: [1, 0], count: 1, sum: 0.5, min: 0.5, max: 0.5 });
    expect(timerStats(s.merged())).toMatchObject({ count: 1, min: 500, max: 500, avg: 500 });
  });
});
