// The hot-path cases, one explicit loop per case. Each loop is its own function
// literal so that V8 keeps separate type feedback per case: a shared loop calling
// `op()` would turn megamorphic and measure the call, not the operation.
// Every case returns elapsed ns for n operations; state lands in typed arrays or
// library objects that outlive the loop, and `sink` collects the rest (no dead code).

import hdr from 'hdr-histogram-js';
import { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { MetricsRegistry } from '../dist/main/collect/metrics.js';
import { PROMETHEUS_LE_MS } from '../dist/main/collect/histogram.js';

export const sink = { value: 0 };
const now = () => process.hrtime.bigint();
const elapsed = (t0) => Number(process.hrtime.bigint() - t0);

/** 4096 durations, log-uniform 0.01 ms .. 5 s, so bucket lookups are not all the same. */
const MASK = 4095;
const VALUES = new Float64Array(MASK + 1);
const VALUES_US = new Float64Array(MASK + 1); // hdr records integers: µs
for (let i = 0; i <= MASK; i++) {
  VALUES[i] = 10 ** (-2 + (((i * 2654435761) % 4096) / 4096) * 5.7);
  VALUES_US[i] = Math.max(1, Math.round(VALUES[i] * 1000));
}
const LABELS = { route: '/telemetry', status: '200' };

export async function buildCases() {
  // Candor
  const reg = new MetricsRegistry();
  const cCounter = reg.counter('bench_counter', 'c');
  const cBoundCounter = reg.counter('bench_counter_labelled', 'c').bind(LABELS);
  const cHist = reg.histogram('bench_hist', 'h');
  const cBoundHist = reg.histogram('bench_hist_labelled', 'h').bind(LABELS);
  const cTimerHist = reg.histogram('bench_timer', 'h').bind(LABELS);
  // Plain typed array
  const plain = new Float64Array(64);
  // prom-client
  const promReg = new promClient.Registry();
  const pCounter = new promClient.Counter({ name: 'p_counter', help: 'c', registers: [promReg] });
  const pBoundCounter = new promClient.Counter({
    name: 'p_counter_l',
    help: 'c',
    labelNames: ['route', 'status'],
    registers: [promReg],
  }).labels(LABELS);
  const pHist = new promClient.Histogram({ name: 'p_hist', help: 'h', buckets: [...PROMETHEUS_LE_MS], registers: [promReg] });
  const pBoundHist = new promClient.Histogram({
    name: 'p_hist_l',
    help: 'h',
    labelNames: ['route', 'status'],
    buckets: [...PROMETHEUS_LE_MS],
    registers: [promReg],
  }).labels(LABELS);
  // OpenTelemetry with a real provider and reader (export interval far beyond the run)
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('bench');
  const oCounter = meter.createCounter('o_counter');
  const oHist = meter.createHistogram('o_hist', { advice: { explicitBucketBoundaries: [...PROMETHEUS_LE_MS] } });
  // hdr-histogram-js, WASM build
  await hdr.initWebAssembly();
  const hHist = hdr.build({ useWebAssembly: true });

  const cases = [
    // counter, unlabelled
    {
      id: 'counter.plain',
      area: 'counter add, unlabelled',
      impl: 'Float64Array add',
      run: (n) => {
        const a = plain;
        const t0 = now();
        for (let i = 0; i < n; i++) a[3] += 1;
        return elapsed(t0);
      },
    },
    {
      id: 'counter.candor',
      area: 'counter add, unlabelled',
      impl: 'Candor',
      run: (n) => {
        const c = cCounter;
        const t0 = now();
        for (let i = 0; i < n; i++) c.add(1);
        return elapsed(t0);
      },
    },
    {
      id: 'counter.prom',
      area: 'counter add, unlabelled',
      impl: 'prom-client inc()',
      run: (n) => {
        const c = pCounter;
        const t0 = now();
        for (let i = 0; i < n; i++) c.inc(1);
        return elapsed(t0);
      },
    },
    {
      id: 'counter.otel',
      area: 'counter add, unlabelled',
      impl: 'OTel counter.add',
      run: (n) => {
        const c = oCounter;
        const t0 = now();
        for (let i = 0; i < n; i++) c.add(1);
        return elapsed(t0);
      },
    },
    // counter, bound to 2 labels
    {
      id: 'bound.plain',
      area: 'counter add, 2 labels (bound)',
      impl: 'Float64Array add',
      run: (n) => {
        const a = plain;
        const t0 = now();
        for (let i = 0; i < n; i++) a[5] += 1;
        return elapsed(t0);
      },
    },
    {
      id: 'bound.candor',
      area: 'counter add, 2 labels (bound)',
      impl: 'Candor',
      run: (n) => {
        const c = cBoundCounter;
        const t0 = now();
        for (let i = 0; i < n; i++) c.add(1);
        return elapsed(t0);
      },
    },
    {
      id: 'bound.prom',
      area: 'counter add, 2 labels (bound)',
      impl: 'prom-client bound child',
      run: (n) => {
        const c = pBoundCounter;
        const t0 = now();
        for (let i = 0; i < n; i++) c.inc(1);
        return elapsed(t0);
      },
    },
    {
      id: 'bound.otel',
      area: 'counter add, 2 labels (bound)',
      impl: 'OTel add(1, attrs)',
      run: (n) => {
        const c = oCounter;
        const attrs = LABELS;
        const t0 = now();
        for (let i = 0; i < n; i++) c.add(1, attrs);
        return elapsed(t0);
      },
    },
    // histogram, unlabelled
    {
      id: 'hist.candor',
      area: 'histogram record, unlabelled',
      impl: 'Candor',
      run: (n) => {
        const h = cHist;
        const v = VALUES;
        const t0 = now();
        for (let i = 0; i < n; i++) h.record(v[i & MASK]);
        return elapsed(t0);
      },
    },
    {
      id: 'hist.hdr',
      area: 'histogram record, unlabelled',
      impl: 'hdr-histogram-js WASM',
      run: (n) => {
        const h = hHist;
        const v = VALUES_US;
        const t0 = now();
        for (let i = 0; i < n; i++) h.recordValue(v[i & MASK]);
        return elapsed(t0);
      },
    },
    {
      id: 'hist.prom',
      area: 'histogram record, unlabelled',
      impl: 'prom-client observe()',
      run: (n) => {
        const h = pHist;
        const v = VALUES;
        const t0 = now();
        for (let i = 0; i < n; i++) h.observe(v[i & MASK]);
        return elapsed(t0);
      },
    },
    {
      id: 'hist.otel',
      area: 'histogram record, unlabelled',
      impl: 'OTel histogram.record',
      run: (n) => {
        const h = oHist;
        const v = VALUES;
        const t0 = now();
        for (let i = 0; i < n; i++) h.record(v[i & MASK]);
        return elapsed(t0);
      },
    },
    // histogram, bound
    {
      id: 'bhist.candor',
      area: 'histogram record, 2 labels (bound)',
      impl: 'Candor',
      run: (n) => {
        const h = cBoundHist;
        const v = VALUES;
        const t0 = now();
        for (let i = 0; i < n; i++) h.record(v[i & MASK]);
        return elapsed(t0);
      },
    },
    {
      id: 'bhist.hdr',
      area: 'histogram record, 2 labels (bound)',
      impl: 'hdr-histogram-js WASM (one instance per series)',
      run: (n) => {
        const h = hHist;
        const v = VALUES_US;
        const t0 = now();
        for (let i = 0; i < n; i++) h.recordValue(v[(i + 7) & MASK]);
        return elapsed(t0);
      },
    },
    {
      id: 'bhist.prom',
      area: 'histogram record, 2 labels (bound)',
      impl: 'prom-client bound child',
      run: (n) => {
        const h = pBoundHist;
        const v = VALUES;
        const t0 = now();
        for (let i = 0; i < n; i++) h.observe(v[i & MASK]);
        return elapsed(t0);
      },
    },
    {
      id: 'bhist.otel',
      area: 'histogram record, 2 labels (bound)',
      impl: 'OTel record(v, attrs)',
      run: (n) => {
        const h = oHist;
        const v = VALUES;
        const attrs = LABELS;
        const t0 = now();
        for (let i = 0; i < n; i++) h.record(v[i & MASK], attrs);
        return elapsed(t0);
      },
    },
    // timed section
    {
      id: 'timer.clock',
      area: 'timed section',
      impl: 'bare performance.now() pair',
      run: (n) => {
        let acc = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const s = performance.now();
          acc += performance.now() - s;
        }
        const ns = elapsed(t0);
        sink.value += acc;
        return ns;
      },
    },
    {
      id: 'timer.candor',
      area: 'timed section',
      impl: 'Candor startTimer() + stop()',
      run: (n) => {
        const h = cTimerHist;
        let acc = 0;
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const stop = h.startTimer();
          acc += stop();
        }
        const ns = elapsed(t0);
        sink.value += acc;
        return ns;
      },
    },
    {
      id: 'timer.manual',
      area: 'timed section',
      impl: 'Candor now() pair + record()',
      run: (n) => {
        const h = cTimerHist;
        const t0 = now();
        for (let i = 0; i < n; i++) {
          const s = performance.now();
          h.record(performance.now() - s);
        }
        return elapsed(t0);
      },
    },
  ];

  /** Reads every instrument back so nothing the loops wrote is dead. */
  async function consume() {
    sink.value += plain[3] + plain[5] + reg.counters().bench_counter + hHist.totalCount + (await promReg.metrics()).length;
    const collected = await reader.collect();
    sink.value += collected.resourceMetrics.scopeMetrics.length;
    hHist.destroy();
    await provider.shutdown();
    return { quantilesCandor: reg.timers().bench_hist, sink: sink.value };
  }
  return { cases, consume };
}
