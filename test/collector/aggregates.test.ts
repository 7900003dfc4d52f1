import { describe, expect, it } from 'vitest';
import { computeAggregates } from '../../collector/aggregates.js';
import { aggregatesCsv } from '../../collector/export-csv.js';
import { mergedPercentiles } from '../../collector/percentiles.js';
import type { AggregateInputs } from '../../collector/store/store.js';
import { bucketIndex, BUCKET_UPPER_MS } from '../../main/collect/histogram.js';
import { seeded } from '../../bench/fleet.mjs';

// The threshold and the fleet percentiles, on inputs built by hand.

const empty: AggregateInputs = { reports: 0, instances: 0, dims: [], timers: [], buckets: [], counters: [], errors: [], errorVersions: [] };

describe('the small-group threshold', () => {
  it('leaves out every cell backed by fewer than min_group_size reports, and counts what it left out', () => {
    const inputs: AggregateInputs = {
      ...empty,
      reports: 40,
      instances: 12,
      dims: [
        { dim: 'os', source: '', value: 'linux', n: 5 },
        { dim: 'os', source: '', value: 'darwin', n: 4 },
        { dim: 'source', source: '', value: 'big-app', n: 6 },
        { dim: 'source', source: '', value: 'tiny-app', n: 1 },
        { dim: 'source_version', source: 'big-app', value: '1.0', n: 5 },
        { dim: 'source_version', source: 'big-app', value: '0.9', n: 1 },
        { dim: 'source_version', source: 'tiny-app', value: '2.0', n: 1 },
      ],
      timers: [
        { source: '', metric: 'shared_ms', n: 7, count: 70, min: 1, max: 9, sum: 140 },
        { source: '', metric: 'rare_ms', n: 2, count: 5, min: 1, max: 2, sum: 7 },
      ],
      counters: [{ source: 'big-app', metric: 'requests', n: 5, total: 500 }],
      errors: [
        { source: '', type: 'TypeError', code: '', message: 'x', top_frame: 'f (a.js)', n: 6, count: 40 },
        { source: '', type: 'Error', code: 'ENOENT', message: 'y', top_frame: 'g (b.js)', n: 3, count: 3 },
      ],
      errorVersions: [
        { source: '', type: 'TypeError', code: '', message: 'x', top_frame: 'f (a.js)', version: '0.2.0', n: 5 },
        { source: '', type: 'TypeError', code: '', message: 'x', top_frame: 'f (a.js)', version: '0.1.0', n: 1 },
      ],
    };
    const a = computeAggregates(inputs, { minGroupSize: 5, window: { since: null } });
    expect(a.distributions.find((d) => d.dim === 'os')).toEqual({ dim: 'os', cells: [{ value: 'linux', reports: 5 }], suppressed: 1 });
    expect(a.timers.map((t) => t.metric)).toEqual(['shared_ms']);
    expect(a.timers[0]?.mean).toBe(2);
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]?.versions).toEqual([{ value: '0.2.0', reports: 5 }]);
    expect(a.errors[0]?.suppressed_versions).toBe(1);
    expect(a.sources.map((s) => s.name)).toEqual(['big-app']);
    expect(a.sources[0]?.distributions[0]).toEqual({ dim: 'source_version', cells: [{ value: '1.0', reports: 5 }], suppressed: 1 });
    expect(a.sources[0]?.counters).toEqual([{ metric: 'requests', reports: 5, total: 500 }]);
    // os darwin, source tiny-app, timer rare_ms, error ENOENT, version 0.1.0, big-app 0.9
    expect(a.suppressed).toBe(6);
    const csv = aggregatesCsv(a);
    expect(csv).not.toMatch(/darwin|tiny-app|rare_ms|ENOENT|0\.1\.0|,0\.9,/);
    expect(csv).toContain('distribution,big-app,source_version,1.0,5,');
  });

  it('keeps a spreadsheet from running a message as a formula', () => {
    const a = computeAggregates(
      { ...empty, errors: [{ source: '', type: 'Error', code: '', message: '=HYPERLINK("http://x")', top_frame: '', n: 9, count: 9 }] },
      { minGroupSize: 2, window: { since: null } },
    );
    expect(aggregatesCsv(a)).toContain(`error,,Error,"'=HYPERLINK(""http://x"")",9,9,`);
  });
});

describe('fleet percentiles', () => {
  it("come from merged histograms, not from averaging each machine's percentile", () => {
    // 1,000 fast calls on one machine, 10 slow ones on another.
    const fast = bucketIndex(1);
    const slow = bucketIndex(1000);
    const merged = mergedPercentiles(
      [
        [fast, 1000],
        [slow, 10],
      ],
      0.9,
      1000,
    );
    expect(merged.count).toBe(1010);
    expect(merged.p95).toBeLessThanOrEqual(BUCKET_UPPER_MS[fast] as number);
    expect(merged.p99).toBeLessThanOrEqual(BUCKET_UPPER_MS[fast] as number);
    // The average of the two machines' p95 would be ~500 ms.
    const averaged = (1 + 1000) / 2;
    expect(Math.abs((merged.p95 ?? 0) - averaged)).toBeGreaterThan(400);
  });

  it('land within a bucket (2.5%) of the exact percentile of all samples together', () => {
    const random = seeded(1234);
    for (let round = 0; round < 20; round++) {
      const samples: number[] = [];
      const pairs: [number, number][] = [];
      for (let machine = 0; machine < 1 + Math.floor(random() * 8); machine++) {
        const scale = 10 ** (random() * 3);
        const counts = new Map<number, number>();
        for (let i = 0; i < 50 + Math.floor(random() * 500); i++) {
          const v = scale * Math.exp((random() - 0.5) * 3);
          samples.push(v);
          counts.set(bucketIndex(v), (counts.get(bucketIndex(v)) ?? 0) + 1);
        }
        pairs.push(...counts.entries());
      }
      samples.sort((a, b) => a - b);
      const exact = (q: number): number => samples[Math.max(0, Math.ceil(q * samples.length) - 1)] ?? 0;
      const merged = mergedPercentiles(pairs, samples[0] ?? 0, samples[samples.length - 1] ?? 0);
      for (const [q, got] of [
        [0.5, merged.p50],
        [0.95, merged.p95],
        [0.99, merged.p99],
      ] as const)
        expect(Math.abs((got ?? 0) - exact(q)) / exact(q), `round ${round} q ${q}`).toBeLessThanOrEqual(0.026);
    }
  });

  it('say null when no report carried a histogram', () => {
    expect(mergedPercentiles([], 0, 0)).toEqual({ count: 0, p50: null, p95: null, p99: null });
  });
});
