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

/** Where an exposition is written: text, and the bucket lines of one histogram series. */
interface Sink {
  text(chunk: string): void;
  /** `<prefix><le> <count>` for each bucket, then for `+Inf` with the series' count. */
  bucketLines(prefix: string, labelled: boolean, buckets: readonly number[], count: number): void;
}

/** The exposition into `sink`: each metric's header, then its series. */
function expose(registry: MetricsRegistry, sink: Sink): void {
  for (const metric of registry.snapshot()) {
    if (metric.kind === 'counter') {
      const name = exposedCounterName(metric.name);
      sink.text(`# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} counter\n`);
      for (const s of metric.series)
        sink.text((s.labelText === '' ? `${name} ` : `${name}{${s.labelText}} `) + formatSampleValue(s.value) + '\n');
      continue;
    }
    const name = metric.name;
    sink.text(`# HELP ${name} ${escapeHelp(metric.help)}\n# TYPE ${name} histogram\n`);
    for (const s of metric.series) {
      const lt = s.labelText;
      sink.bucketLines(`${name}_bucket{${lt}`, lt !== '', s.buckets, s.count);
      const braced = lt === '' ? ' ' : `{${lt}} `;
      sink.text(`${name}_sum${braced}${formatSampleValue(s.sum)}\n${name}_count${braced}${String(s.count)}\n`);
    }
  }
}

export function toPrometheusText(registry: MetricsRegistry): string {
  let out = '';
  expose(registry, {
    text(chunk) {
      out += chunk;
    },
    bucketLines(prefix, labelled, buckets, count) {
      const le = labelled ? LE_AFTER : LE_ALONE;
      for (let j = 0; j <= buckets.length; j++) out += prefix + le[j] + String(j < buckets.length ? buckets[j] : count) + '\n';
    },
  });
  return out;
}

// What /metrics sends, written straight into a scratch buffer kept between calls: no
// megabyte-sized string is flattened and then encoded again (each fresh 1.4 MB
// allocation costs ~0.5 ms of page faults here). A histogram series' bucket lines share
// one prefix, encoded once and copied within the buffer, and its counts are written as
// ASCII digits, so most of the exposition never becomes a string at all.
const encoder = new TextEncoder();
const LE_AFTER_BYTES = LE_AFTER.map((le) => encoder.encode(le));
const LE_ALONE_BYTES = LE_ALONE.map((le) => encoder.encode(le));
const NEWLINE = 0x0a;
const ZERO = 0x30;

class ByteSink implements Sink {
  buf = new Uint8Array(1 << 16);
  used = 0;

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.used + n));
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }

  text(chunk: string): void {
    // encodeInto writes at most 3 bytes per UTF-16 unit.
    this.reserve(chunk.length * 3);
    this.used += encoder.encodeInto(chunk, this.buf.subarray(this.used)).written;
  }

  bucketLines(prefix: string, labelled: boolean, buckets: readonly number[], count: number): void {
    const le = labelled ? LE_AFTER_BYTES : LE_ALONE_BYTES;
    const start = this.used;
    this.text(prefix);
    const end = this.used;
    for (let j = 0; j <= buckets.length; j++) {
      if (j > 0) this.again(start, end);
      this.bytes(le[j] as Uint8Array);
      this.countLine(j < buckets.length ? (buckets[j] as number) : count);
    }
  }

  private bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.used);
    this.used += b.length;
  }

  /** Bytes already written at [start, end), again. */
  private again(start: number, end: number): void {
    this.reserve(end - start);
    this.buf.copyWithin(this.used, start, end);
    this.used += end - start;
  }

  /** A count, spelled as String(n) spells it, then a newline. */
  private countLine(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      this.text(String(n) + '\n');
      return;
    }
    this.reserve(17);
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    const buf = this.buf;
    let at = this.used + digits;
    buf[at] = NEWLINE;
    let rest = n;
    do {
      buf[--at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    this.used += digits + 1;
  }
}

let sink = new ByteSink();

/** The exposition as UTF-8 bytes: the same bytes as Buffer.from(toPrometheusText(r)). */
export function toPrometheusBytes(registry: MetricsRegistry): Buffer {
  const out = sink;
  out.used = 0;
  expose(registry, out);
  // A copy: a response may still be sending these bytes when the next scrape starts.
  const bytes = Buffer.from(out.buf.subarray(0, out.used));
  // Keep a grown buffer for the next call, but not one a single huge scrape left behind.
  if (out.buf.length > 1 << 24) sink = new ByteSink();
  return bytes;
}
