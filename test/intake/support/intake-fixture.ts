import { BUCKET_UPPER_MS, bucketIndex } from '../../../main/collect/histogram.js';
import { MetricsRegistry } from '../../../main/collect/metrics.js';
import type { TimerStats } from '../../../main/report/payload-schema.js';
import { createIntake, type Intake, type IntakeOptions } from '../../../main/intake/intake.js';

/** An intake listening on a free loopback port, with its base URL. */
export async function startIntake(options: Partial<IntakeOptions> = {}): Promise<{ intake: Intake; url: string; port: number }> {
  const intake = createIntake({ port: 0, ...options });
  const { port } = await intake.start();
  return { intake, url: `http://127.0.0.1:${port}`, port };
}

/**
 * Explicit bucket bounds that cut exactly at Candor's fine bucket boundaries around
 * each value: an app histogram with these bounds holds, bucket for bucket, what
 * Candor's own histogram holds for the same values.
 */
export function alignedBounds(values: readonly number[]): number[] {
  const bounds = new Set<number>();
  for (const v of values) {
    const k = bucketIndex(v);
    bounds.add(BUCKET_UPPER_MS[k - 1] as number);
    bounds.add(BUCKET_UPPER_MS[k] as number);
  }
  return [...bounds].sort((a, b) => a - b);
}

/** Candor's own timer for these values (what its timers would report). */
export function candorTimer(values: readonly number[]): TimerStats {
  const registry = new MetricsRegistry();
  const h = registry.histogram('expected_ms', 'expected');
  for (const v of values) h.record(v);
  return registry.timers()['expected_ms'] as TimerStats;
}

/** Candor's fine buckets for these values, as [index, count] pairs. */
export function candorBuckets(values: readonly number[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(bucketIndex(v), (counts.get(bucketIndex(v)) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/** Every string in a JSON value (keys and values), for "never appears" checks. */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsOf(v, out);
    }
  }
  return out;
}
