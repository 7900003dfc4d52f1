// Area 2: Prometheus text export of 100 histograms x 10 label sets, Candor's
// toPrometheusBytes (what /metrics sends) against prom-client's registry.metrics(), same series, same le
// buckets, same observations. Both outputs are parsed back strictly and compared.

import promClient from 'prom-client';
import { MetricsRegistry } from '../dist/main/collect/metrics.js';
import { PROMETHEUS_LE_MS } from '../dist/main/collect/histogram.js';
import { toPrometheusBytes, toPrometheusText } from '../dist/main/collect/prometheus.js';
import { compareSamples, parseExposition } from './exposition-parse.mjs';
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
  // What /metrics sends must be exactly the text that was parsed back above.
  if (Buffer.compare(toPrometheusBytes(candor), Buffer.from(candorText)) !== 0)
    throw new Error('toPrometheusBytes() differs from the text');

  const candorMs = [];
  const promMs = [];
  const ropeMs = [];
  const textMs = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // Alternate which side goes first so neither always inherits the other's garbage.
    const order = i % 2 === 0 ? ['c', 'p', 'x'] : ['x', 'p', 'c'];
    for (const side of order) {
      if (side === 'x') {
        let t0 = process.hrtime.bigint();
        bytes += Buffer.from(toPrometheusText(candor), 'utf8').length;
        if (i >= WARMUP) textMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        t0 = process.hrtime.bigint();
        bytes += toPrometheusText(candor).length; // the string only, left a rope
        if (i >= WARMUP) ropeMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
        continue;
      }
      // Encoding is part of the work: serving /metrics has to produce the UTF-8 bytes.
      // Candor's /metrics path (toPrometheusBytes) encodes as it goes; prom-client's
      // string is encoded the way any HTTP server would.
      const t0 = process.hrtime.bigint();
      const body = side === 'c' ? toPrometheusBytes(candor) : Buffer.from(await prom.metrics(), 'utf8');
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      bytes += body.length;
      if (i >= WARMUP) (side === 'c' ? candorMs : promMs).push(ms);
    }
  }
  const measurements = {
    'export.candor': {
      area: 'exposition to UTF-8 bytes, 100 histograms x 10 label sets',
      impl: 'Candor toPrometheusBytes() (what /metrics sends)',
      unit: 'ms',
      ...summary(candorMs),
    },
    'export.prom': {
      area: 'exposition to UTF-8 bytes, 100 histograms x 10 label sets',
      impl: 'prom-client registry.metrics()',
      unit: 'ms',
      ...summary(promMs),
    },
    'export.text': {
      area: 'exposition to UTF-8 bytes, 100 histograms x 10 label sets',
      impl: 'Candor toPrometheusText() then Buffer.from (for reference)',
      unit: 'ms',
      ...summary(textMs),
    },
    'export.rope': {
      area: 'string only, not encoded (for reference)',
      impl: 'Candor toPrometheusText(), rope left unflattened',
      unit: 'ms',
      ...summary(ropeMs),
    },
  };
  const speedup = measurements['export.prom'].median / measurements['export.candor'].median;
  const bars = [
    {
      bar: 'exposition: >= 5x faster than prom-client registry.metrics()',
      candor: measurements['export.candor'].median,
      reference: measurements['export.prom'].median,
      ratio: speedup,
      limit: '>= 5x faster',
      met: speedup >= 5,
    },
    {
      bar: 'exposition: valid 0.0.4 text, parsed back, same samples as prom-client',
      candor: c.samples.size,
      reference: p.samples.size,
      ratio: 1,
      limit: 'valid, 0 differences',
      met: diffs.length === 0,
    },
  ];
  return {
    area: 'Prometheus exposition',
    measurements,
    bars,
    notes: {
      candorBytes: Buffer.byteLength(candorText),
      promBytes: Buffer.byteLength(promText),
      candorLines: c.lines,
      promLines: p.lines,
      histogramSeries: c.histogramSeries,
      samples: c.samples.size,
      differences: diffs.length,
      runs: RUNS,
      warmup: WARMUP,
      checksum: bytes,
    },
  };
}

await emitIfMain(import.meta.url, run);
