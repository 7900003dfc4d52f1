// Area 1: hot path, ns/op. Cases run interleaved round by round (so a noisy moment
// hits every case alike); each sample is sized to take ~20 ms; median of the rounds.

import { buildCases } from './hot-path-cases.mjs';
import { summary } from './stats.mjs';
import { emitIfMain } from './child.mjs';

const SAMPLE_NS = 20e6;
const WARMUP_ROUNDS = 3;
const ROUNDS = 9;

function calibrate(run) {
  let n = 10_000;
  for (;;) {
    const ns = run(n);
    if (ns > SAMPLE_NS / 4 || n > 1e9) return Math.max(1000, Math.round((n * SAMPLE_NS) / Math.max(ns, 1)));
    n *= 4;
  }
}

export async function run() {
  const { cases, consume } = await buildCases();
  const sizes = new Map(cases.map((c) => [c.id, calibrate(c.run)]));
  const perOp = new Map(cases.map((c) => [c.id, []]));
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    for (const c of cases) {
      const n = sizes.get(c.id);
      const ns = c.run(n) / n;
      if (round >= WARMUP_ROUNDS) perOp.get(c.id).push(ns);
    }
  }
  const check = await consume();
  const m = Object.fromEntries(cases.map((c) => [c.id, { area: c.area, impl: c.impl, unit: 'ns/op', ...summary(perOp.get(c.id)) }]));
  const v = (id) => m[id].median;
  const bars = [
    {
      bar: 'counter add, unlabelled: no slower than prom-client unlabelled inc()',
      candor: v('counter.candor'),
      reference: v('counter.prom'),
      ratio: v('counter.candor') / v('counter.prom'),
      limit: '<= 1x',
      met: v('counter.candor') <= v('counter.prom'),
    },
    {
      bar: 'counter add, bound 2 labels: within 3x of Float64Array add',
      candor: v('bound.candor'),
      reference: v('bound.plain'),
      ratio: v('bound.candor') / v('bound.plain'),
      limit: '<= 3x',
      met: v('bound.candor') <= 3 * v('bound.plain'),
    },
    {
      bar: 'counter add, bound 2 labels: >= 10x faster than prom-client bound child',
      candor: v('bound.candor'),
      reference: v('bound.prom'),
      ratio: v('bound.prom') / v('bound.candor'),
      limit: '>= 10x faster',
      met: v('bound.prom') >= 10 * v('bound.candor'),
    },
    {
      bar: 'histogram record, unlabelled: <= 15 ns',
      candor: v('hist.candor'),
      reference: 15,
      ratio: v('hist.candor') / 15,
      limit: '<= 15 ns',
      met: v('hist.candor') <= 15,
    },
    {
      bar: 'histogram record, unlabelled: faster than hdr-histogram-js WASM',
      candor: v('hist.candor'),
      reference: v('hist.hdr'),
      ratio: v('hist.candor') / v('hist.hdr'),
      limit: '< 1x',
      met: v('hist.candor') < v('hist.hdr'),
    },
    {
      bar: 'histogram record, bound: <= 15 ns',
      candor: v('bhist.candor'),
      reference: 15,
      ratio: v('bhist.candor') / 15,
      limit: '<= 15 ns',
      met: v('bhist.candor') <= 15,
    },
    {
      bar: 'histogram record, bound: faster than hdr-histogram-js WASM',
      candor: v('bhist.candor'),
      reference: v('bhist.hdr'),
      ratio: v('bhist.candor') / v('bhist.hdr'),
      limit: '< 1x',
      met: v('bhist.candor') < v('bhist.hdr'),
    },
    {
      bar: 'timed section (startTimer + stop): <= 1.2x bare clock pair',
      candor: v('timer.candor'),
      reference: v('timer.clock'),
      ratio: v('timer.candor') / v('timer.clock'),
      limit: '<= 1.2x',
      met: v('timer.candor') <= 1.2 * v('timer.clock'),
    },
    {
      bar: 'timed section (now() pair + record): <= 1.2x bare clock pair',
      candor: v('timer.manual'),
      reference: v('timer.clock'),
      ratio: v('timer.manual') / v('timer.clock'),
      limit: '<= 1.2x',
      met: v('timer.manual') <= 1.2 * v('timer.clock'),
    },
  ];
  return {
    area: 'hot path',
    unit: 'ns/op',
    measurements: m,
    bars,
    notes: { rounds: ROUNDS, warmupRounds: WARMUP_ROUNDS, sampleMs: SAMPLE_NS / 1e6, candorHistogramQuantiles: check.quantilesCandor },
  };
}

await emitIfMain(import.meta.url, run);
