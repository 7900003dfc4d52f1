import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../main/collect/metrics.js';
import { toPrometheusBytes, toPrometheusText } from '../../main/collect/prometheus.js';

// /metrics sends toPrometheusBytes; it must be exactly the UTF-8 of toPrometheusText.

function registryWith(series: number): MetricsRegistry {
  const r = new MetricsRegistry();
  const h = r.histogram('request_ms', 'Request time, with "quotes" and a back\\slash.');
  const c = r.counter('events', 'Events seen.');
  // Unlabelled, with counts of many digits (written as ASCII digits, not through String()).
  const plain = r.histogram('plain_ms', 'No labels.').bind({});
  for (let i = 0; i < series * 3; i++) plain.record(10 ** ((i % 9) - 2));
  if (series > 0) for (let i = 0; i < 123_456; i++) plain.record(0.5);
  for (let i = 0; i < series; i++) {
    h.bind({ route: `/é/${i}`, who: `名前-${i}-🙂` }).record(i % 97);
    c.bind({ kind: `k\n${i}` }).add(i);
  }
  return r;
}

describe('toPrometheusBytes', () => {
  it.each([0, 1, 10, 400])('equals the UTF-8 of the text with %i label sets (non-ASCII, escapes, buffer growth)', (series) => {
    const r = registryWith(series);
    const bytes = toPrometheusBytes(r);
    expect(bytes.equals(Buffer.from(toPrometheusText(r), 'utf8'))).toBe(true);
    if (series === 400) expect(bytes.length).toBeGreaterThan(1 << 16);
  });

  it('returns a fresh buffer each call, so an earlier response is never overwritten', () => {
    const r = registryWith(3);
    const first = toPrometheusBytes(r);
    const copy = Buffer.from(first);
    r.histogram('request_ms', '').bind({ route: 'later', who: 'x' }).record(5);
    const second = toPrometheusBytes(r);
    expect(first.equals(copy)).toBe(true);
    expect(second.equals(first)).toBe(false);
  });
});
