// Area 2: Prometheus text export of 100 histograms x 10 label sets, Candor's
// toPrometheusText against prom-client's registry.metrics(), same series, same le
// buckets, same observations. Both outputs are parsed back strictly and compared.

import promClient from 'prom-client';
import { MetricsRegistry } from '../dist/main/collect/metrics.js';
import { PROMETHEUS_LE_MS } from '../dist/main/collect/histogram.js';
import { toPrometheusText } from '../dist/main/collect/prometheus.js';
import { compareSamples, parseExposition } from './exposition-parse.mjs';
import { toPrometheusBytes } from './exposition-proposed.mjs';
import { summary } from './stats.mjs';
import { emitIfMain } from './child.mjs';

const METRICS = 100;
const LABEL_SETS = 10;
const OBSERVATIONS = 50;
const WARMUP = 15;
const RUNS = 60;

function build() {
  const candor = new MetricsRegistry();
  const prom = new promClient.Registry();
  for (let m = 0; m < METRICS; m++) {
    const name = `bench_request_${String(m).padStart(3, '0')}_ms`;
    const help = `Request time of handler ${m} (ms).`;
    const ch = candor.histogram(name, help);
    const ph = new promClient.Histogram({ name, help, labelNames: ['route', 'status'], buckets: [...PROMETHEUS_LE_MS], registers: [prom] });
    for (let s = 0; s < LABEL_SETS; s++) {
      // One label value needs escaping, so the escaping path is part of the work.
      const labels = { route: s === 3 ? '/a "quoted" \\path' : `/route/${s}`, status: s % 2 === 0 ? '200' : '500' };
      const cb = ch.bind(labels);
      const pb = ph.labels(labels);
      for (let o = 0; o < OBSERVATIONS; o++) {
        const v = 10 ** (-1.5 + (((m * 31 + s * 7 + o * 13) % 97) / 97) * 5);
        cb.record(v);
        pb.observe(v);
      }
    }
  }
  return { candor, prom };
}

export async function run() {
  const { candor, prom } = build();
  const candorText = toPrometheusText(candor);
  const promText = await prom.metrics();
  const c = parseExposition(candorText);
  const p = parseExposition(promText);
  const diffs = compareSamples(c.samples, p.samples);
  if (diffs.length > 0) throw new Error(`Candor and prom-client expositions differ:\n${diffs.slice(0, 10).join('\n')}`);
  const proposedSame = Buffer.compare(toPrometheusBytes(candor), Buffer.from(candorText)) === 0;
  if (!proposedSame) throw new Error('the proposed toPrometheusBytes() does not produce the same bytes');

  const candorMs = [];
  const promMs = [];
  const ropeMs = [];
  const proposedMs = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // Alternate which side goes first so neither always inherits the other's garbage.
    const order = i % 2 === 0 ? ['c', 'p', 'x'] : ['x', 'p', 'c'];
    for (const side of order) {
      if (side === 'x') {
        let t0 = process.hrtime.bigint();
        bytes += toPrometheusBytes(candor).length;
        if (i >= WARMUP) proposedMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        t0 = process.hrtime.bigint();
        bytes += toPrometheusText(candor).length; // the string only, left a rope
        if (i >= WARMUP) ropeMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        continue;
      }
      const t0 = process.hrtime.bigint();
      const text = side === 'c' ? toPrometheusText(candor) : await prom.metrics();
      // Encoding is part of the work: a string built by += is a rope that is only
      // flattened when read, and serving /metrics has to produce the UTF-8 bytes.
      const body = Buffer.from(text, 'utf8');
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      bytes += body.length;
      if (i >= WARMUP) (side === 'c' ? candorMs : promMs).push(ms);
    }
  }
  const measurements = {
    'export.candor': { area: 'exposition to UTF-8 bytes, 100 histograms x 10 label sets', impl: 'Candor toPrometheusText()', unit: 'ms', ...summary(candorMs) },
    'export.prom': { area: 'exposition to UTF-8 bytes, 100 histograms x 10 label sets', impl: 'prom-client registry.metrics()', unit: 'ms', ...summary(promMs) },
    'export.proposed': { area: 'exposition to UTF-8 bytes, 100 histograms x 10 label sets', impl: 'proposed toPrometheusBytes() (bench/exposition-proposed.mjs, not in main/)', unit: 'ms', ...summary(proposedMs) },
    'export.rope': { area: 'string only, not encoded (for reference)', impl: 'Candor toPrometheusText(), rope left unflattened', unit: 'ms', ...summary(ropeMs) },
  };
  const speedup = measurements['export.prom'].median / measurements['export.candor'].median;
  const bars = [
    { bar: 'exposition: >= 5x faster than prom-client registry.metrics()', candor: measurements['export.candor'].median, reference: measurements['export.prom'].median, ratio: speedup, limit: '>= 5x faster', met: speedup >= 5 },
    { bar: 'proposed toPrometheusBytes() (not in main/): >= 5x faster than prom-client', candor: measurements['export.proposed'].median, reference: measurements['export.prom'].median, ratio: measurements['export.prom'].median / measurements['export.proposed'].median, limit: 'report only', met: null },
    { bar: 'exposition: valid 0.0.4 text, parsed back, same samples as prom-client', candor: c.samples.size, reference: p.samples.size, ratio: 1, limit: 'valid, 0 differences', met: diffs.length === 0 },
  ];
  return {
    area: 'Prometheus exposition',
    measurements,
    bars,
    notes: { candorBytes: Buffer.byteLength(candorText), promBytes: Buffer.byteLength(promText), candorLines: c.lines, promLines: p.lines, histogramSeries: c.histogramSeries, samples: c.samples.size, differences: diffs.length, runs: RUNS, warmup: WARMUP, checksum: bytes },
  };
}

await emitIfMain(import.meta.url, run);
