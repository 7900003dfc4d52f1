import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROMETHEUS_LE_MS } from '../../main/collect/histogram.js';
import { MetricsRegistry } from '../../main/collect/metrics.js';
import { PROMETHEUS_CONTENT_TYPE, toPrometheusText } from '../../main/collect/prometheus.js';
import { type Family, parsePrometheusText } from './prometheus-parse.js';

const LE_LABELS = [...PROMETHEUS_LE_MS.map(String), '+Inf'];

/** Every histogram series: le in the fixed order, cumulative, +Inf == _count, _sum present. */
function checkHistogram(family: Family): void {
  const byLabels = new Map<string, { buckets: [string, number][]; sum?: number; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = byLabels.get(key) ?? { buckets: [] };
    byLabels.set(key, entry);
    if (s.name.endsWith('_bucket')) entry.buckets.push([le ?? 'missing', s.value]);
    else if (s.name.endsWith('_sum')) entry.sum = s.value;
    else entry.count = s.value;
  }
  for (const [key, entry] of byLabels) {
    expect(
      entry.buckets.map(([le]) => le),
      key,
    ).toEqual(LE_LABELS);
    for (let i = 1; i < entry.buckets.length; i++) expect(entry.buckets[i]?.[1]).toBeGreaterThanOrEqual(entry.buckets[i - 1]?.[1] ?? 0);
    expect(entry.buckets.at(-1)?.[1], key).toBe(entry.count);
    expect(entry.sum, key).toBeDefined();
  }
}

describe('toPrometheusText', () => {
  it('declares the 0.0.4 content type', () => {
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('prints counters as <name>_total, keeping a name that already ends in _total', () => {
    const r = new MetricsRegistry();
    r.counter('reports_built', 'Reports built.').add(3);
    r.counter('uploads_total', 'Uploads.').bind({ outcome: 'ok' }).add(2);
    expect(toPrometheusText(r)).toBe(
      [
        '# HELP reports_built_total Reports built.',
        '# TYPE reports_built_total counter',
        'reports_built_total 3',
        '# HELP uploads_total Uploads.',
        '# TYPE uploads_total counter',
        'uploads_total{outcome="ok"} 2',
        '',
      ].join('\n'),
    );
  });

  it('prints a histogram with exact cumulative le counts, _sum and _count', () => {
    const r = new MetricsRegistry();
    const h = r.histogram('op_ms', 'Op.').bind({ op: 'read' });
    // On boundaries (le is inclusive), just above them, below range, and beyond the last le.
    const values = [0, 0.1, 0.1000001, 0.25, 1, 2.5, 2.5000001, 9.99, 10, 999, 10_000, 10_000.5, 1e6];
    for (const v of values) h.record(v);
    const [family] = parsePrometheusText(toPrometheusText(r));
    expect(family?.type).toBe('histogram');
    if (family === undefined) throw new Error('no family');
    checkHistogram(family);
    const buckets = family.samples.filter((s) => s.name === 'op_ms_bucket');
    expect(buckets.map((s) => s.labels)).toEqual(LE_LABELS.map((le) => ({ op: 'read', le })));
    expect(buckets.map((s) => s.value)).toEqual([...PROMETHEUS_LE_MS.map((le) => values.filter((v) => v <= le).length), values.length]);
    expect(family.samples.find((s) => s.name === 'op_ms_sum')?.value).toBeCloseTo(
      values.reduce((a, b) => a + b, 0),
      6,
    );
    expect(family.samples.find((s) => s.name === 'op_ms_count')?.value).toBe(values.length);
  });

  it('escapes label values and HELP so that a strict parser reads back the originals', () => {
    const r = new MetricsRegistry();
    const tricky = ['back\\slash', 'quote"d', 'new\nline', '\\"\n\\n', 'a,b=c}{', 'ünïcødé ✓ 🎉', '', ' spaced '];
    const c = r.counter('odd_labels', 'Help with \\ backslash,\nnewline and "quotes".');
    const h = r.histogram('odd_ms', 'H.');
    tricky.forEach((v, i) => {
      c.bind({ v }).add(i + 1);
      h.bind({ v }).record(i);
    });
    const families = parsePrometheusText(toPrometheusText(r));
    expect(families[0]?.help).toBe('Help with \\ backslash,\nnewline and "quotes".');
    expect(families[0]?.samples.map((s) => [s.labels['v'], s.value])).toEqual(tricky.map((v, i) => [v, i + 1]));
    const counts = families[1]?.samples.filter((s) => s.name === 'odd_ms_count') ?? [];
    expect(counts.map((s) => s.labels['v'])).toEqual(tricky);
    if (families[1] !== undefined) checkHistogram(families[1]);
  });

  it('round-trips any label values and keeps every line grammatical (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.double({ min: -1, max: 2e4, noNaN: true }), { maxLength: 30 }),
        (values, observations) => {
          const r = new MetricsRegistry();
          const c = r.counter('c', 'C.');
          const h = r.histogram('h_ms', 'H.');
          for (const v of values) {
            c.bind({ v, w: v }).add(2);
            const handle = h.bind({ v });
            for (const o of observations) handle.record(o);
          }
          const [counter, histogram] = parsePrometheusText(toPrometheusText(r));
          expect(counter?.samples.map((s) => s.labels)).toEqual(values.map((v) => ({ v, w: v })));
          if (histogram === undefined) throw new Error('no histogram');
          checkHistogram(histogram);
          for (const s of histogram.samples.filter((x) => x.name === 'h_ms_count')) expect(s.value).toBe(observations.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('prints only HELP and TYPE for a metric with no series, and the overflow counter when a guard trips', () => {
    const r = new MetricsRegistry({ maxSeriesPerMetric: 1 });
    r.histogram('idle_ms', 'Idle.');
    const c = r.counter('users', 'Users.');
    c.bind({ u: 'a' }).add();
    c.bind({ u: 'b' }).add();
    const families = parsePrometheusText(toPrometheusText(r));
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['idle_ms', 'histogram', 0],
      ['users_total', 'counter', 2],
      ['candor_metrics_series_overflow_total', 'counter', 1],
    ]);
    expect(families[1]?.samples[1]?.labels).toEqual({ overflow: 'true' });
    expect(families[2]?.samples[0]).toEqual({ name: 'candor_metrics_series_overflow_total', labels: { metric: 'users' }, value: 1 });
  });

  it('is an empty document for an empty registry', () => {
    expect(toPrometheusText(new MetricsRegistry())).toBe('');
  });
});

describe('the strict test parser rejects what the format forbids', () => {
  it.each([
    ['no final newline', '# TYPE a counter\na 1'],
    ['raw quote in a label value', '# TYPE a counter\na{x="q"q"} 1\n'],
    ['unknown escape', '# TYPE a counter\na{x="\\t"} 1\n'],
    ['sample outside its family', '# TYPE a counter\nb 1\n'],
    ['histogram sample without suffix', '# TYPE h histogram\nh 1\n'],
    ['bad value', '# TYPE a counter\na one\n'],
    ['Infinity spelled the JS way', '# TYPE a counter\na Infinity\n'],
    ['duplicate series', '# TYPE a counter\na{x="1"} 1\na{x="1"} 2\n'],
    ['empty line', '# TYPE a counter\n\na 1\n'],
    ['TYPE after samples', '# TYPE a counter\na 1\n# HELP a late\n'],
  ])('%s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow(/line|newline/);
  });
});
