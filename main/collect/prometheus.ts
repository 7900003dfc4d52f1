import { PROMETHEUS_LE_MS } from './histogram.js';
import type { MetricsRegistry } from './metrics.js';
import { exposedCounterName } from './metric-names.js';
import { escapeHelp, formatSampleValue } from './prometheus-escape.js';

// Prometheus text exposition format 0.0.4.
// - Counters are exposed as <name>_total (appended when the registered name lacks
//   it; the registry refuses names that would then collide).
// - Histograms are classic histograms over the fixed PROMETHEUS_LE_MS boundaries (ms).
//   The cumulative counts are exact, not interpolated: every le is a boundary of the
//   fine bucket layout (see histogram.ts).
// - A metric without series prints only its HELP and TYPE lines.
// Label text is escaped once per series at bind time; here we only concatenate.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const LE_TEXT = [...PROMETHEUS_LE_MS.map((le) => String(le)), '+Inf'];
/** `le="…"} ` after other labels, and alone. */
const LE_AFTER = LE_TEXT.map((le) => `,le="${le}"} `);
const LE_ALONE = LE_TEXT.map((le) => `le="${le}"} `);

export function toPrometheusText(registry: MetricsRegistry): string {
  // One growing string: V8 builds it as a rope and flattens once, which measured
  // faster than pushing ~20 lines per series into an array and joining.
  let out = '';
  for (const metric of registry.snapshot()) {
    if (metric.kind === 'counter') {
      const name = exposedCounterName(metric.name);
      out += `# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} counter\n`;
      for (const s of metric.series) {
        out += (s.labelText === '' ? `${name} ` : `${name}{${s.labelText}} `) + formatSampleValue(s.value) + '\n';
      }
      continue;
    }
    const name = metric.name;
    out += `# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} histogram\n`;
    for (const s of metric.series) {
      const lt = s.labelText;
      const le = lt === '' ? LE_ALONE : LE_AFTER;
      const prefix = `${name}_bucket{${lt}`;
      const braced = lt === '' ? ' ' : `{${lt}} `;
      const buckets = s.buckets;
      const last = buckets.length;
      for (let j = 0; j < last; j++) out += prefix + le[j] + String(buckets[j]) + '\n';
      out += prefix + le[last] + String(s.count) + '\n';
      out += `${name}_sum${braced}${formatSampleValue(s.sum)}\n${name}_count${braced}${String(s.count)}\n`;
    }
  }
  return out;
}
