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
// Label values are exposed as given: /metrics is local (loopback, token); the payload
// hashes them (performance.detail labels).

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const LE_TEXT = [...PROMETHEUS_LE_MS.map((le) => String(le)), '+Inf'];
/** `le="…"} ` after other labels, and alone. */
const LE_AFTER = LE_TEXT.map((le) => `,le="${le}"} `);
const LE_ALONE = LE_TEXT.map((le) => `le="${le}"} `);

/** Calls `emit` with the exposition in chunks: a metric's header, then one chunk per series. */
function expose(registry: MetricsRegistry, emit: (chunk: string) => void): void {
  for (const metric of registry.snapshot()) {
    if (metric.kind === 'counter') {
      const name = exposedCounterName(metric.name);
      let t = `# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} counter\n`;
      for (const s of metric.series)
        t += (s.labelText === '' ? `${name} ` : `${name}{${s.labelText}} `) + formatSampleValue(s.value) + '\n';
      emit(t);
      continue;
    }
    const name = metric.name;
    emit(`# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} histogram\n`);
    for (const s of metric.series) {
      const lt = s.labelText;
      const le = lt === '' ? LE_ALONE : LE_AFTER;
      const prefix = `${name}_bucket{${lt}`;
      const braced = lt === '' ? ' ' : `{${lt}} `;
      const buckets = s.buckets;
      const last = buckets.length;
      let t = '';
      for (let j = 0; j < last; j++) t += prefix + le[j] + String(buckets[j]) + '\n';
      t += prefix + le[last] + String(s.count) + '\n';
      t += `${name}_sum${braced}${formatSampleValue(s.sum)}\n${name}_count${braced}${String(s.count)}\n`;
      emit(t);
    }
  }
}

export function toPrometheusText(registry: MetricsRegistry): string {
  let out = '';
  expose(registry, (chunk) => {
    out += chunk;
  });
  return out;
}

// What /metrics sends. Small per-series strings are encoded straight into a scratch
// buffer kept between calls, so no megabyte-sized string is ever flattened and then
// encoded again (each fresh 1.4 MB allocation costs ~0.5 ms of page faults here).
const encoder = new TextEncoder();
let scratch = new Uint8Array(1 << 16);

/** The exposition as UTF-8 bytes: the same bytes as Buffer.from(toPrometheusText(r)). */
export function toPrometheusBytes(registry: MetricsRegistry): Buffer {
  let used = 0;
  expose(registry, (chunk) => {
    // encodeInto writes at most 3 bytes per UTF-16 unit.
    if (used + chunk.length * 3 > scratch.length) {
      const grown = new Uint8Array(Math.max(scratch.length * 2, used + chunk.length * 3));
      grown.set(scratch.subarray(0, used));
      scratch = grown;
    }
    used += encoder.encodeInto(chunk, scratch.subarray(used)).written;
  });
  // A copy: a response may still be sending these bytes when the next scrape starts.
  return Buffer.from(scratch.subarray(0, used));
}
