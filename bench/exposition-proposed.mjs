// The change proposed for main/collect/prometheus.ts, measured here beside the real
// one (it is NOT Candor's code until someone who owns main/ adopts it).
// Same output bytes as Buffer.from(toPrometheusText(r)), built differently:
//  - each series' ~19 lines are one small string, encoded with encodeInto() into a
//    scratch buffer kept between calls, so no 1.4 MB rope is ever flattened and no
//    second 1.4 MB string is allocated (on this VM a fresh 1.4 MB costs ~0.5 ms in
//    page faults alone);
//  - one copy out of the scratch at the end, because an HTTP response may still hold
//    the bytes when the next scrape starts.

import { PROMETHEUS_LE_MS } from '../dist/main/collect/histogram.js';
import { exposedCounterName } from '../dist/main/collect/metric-names.js';
import { escapeHelp, formatSampleValue } from '../dist/main/collect/prometheus-escape.js';

const LE_TEXT = [...PROMETHEUS_LE_MS.map((le) => String(le)), '+Inf'];
const LE_AFTER = LE_TEXT.map((le) => `,le="${le}"} `);
const LE_ALONE = LE_TEXT.map((le) => `le="${le}"} `);
const encoder = new TextEncoder();
let scratch = new Uint8Array(1 << 16);
let used = 0;

function put(text) {
  // encodeInto writes at most 3 bytes per UTF-16 unit.
  if (used + text.length * 3 > scratch.length) {
    const grown = new Uint8Array(Math.max(scratch.length * 2, used + text.length * 3));
    grown.set(scratch.subarray(0, used));
    scratch = grown;
  }
  used += encoder.encodeInto(text, scratch.subarray(used)).written;
}

export function toPrometheusBytes(registry) {
  used = 0;
  for (const metric of registry.snapshot()) {
    if (metric.kind === 'counter') {
      const name = exposedCounterName(metric.name);
      let t = `# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} counter\n`;
      for (const s of metric.series) t += (s.labelText === '' ? `${name} ` : `${name}{${s.labelText}} `) + formatSampleValue(s.value) + '\n';
      put(t);
      continue;
    }
    const name = metric.name;
    put(`# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} histogram\n`);
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
      put(t);
    }
  }
  return Buffer.from(scratch.subarray(0, used));
}
