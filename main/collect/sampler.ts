// The system load sampler: every interval it reads CPU load, memory in use, disk
// throughput and the 1-minute load average into a fixed-size ring. The ring is a set
// of typed arrays allocated once, so a long-running agent holds the same memory on
// day 30 as at minute 1. aggregate() and recent() read the ring without waiting on
// any probe.

import os from 'node:os';
import si from 'systeminformation';
import type { LoadSection, RecentSample, Unavailable } from '../report/payload-schema.js';
import { log } from '../util/log.js';
import { summarize } from './series-stats.js';
import { withTimeout } from './with-timeout.js';

/** The systeminformation calls the sampler makes, typed by the fields it reads. */
export interface SamplerSource {
  currentLoad(): Promise<{ currentLoad: number }>;
  mem(): Promise<{ total: number; available: number }>;
  /** Null on platforms without disk counters (systeminformation returns null on Windows). */
  fsStats(): Promise<{ rx_sec: number | null; wx_sec: number | null } | null>;
}

export interface SamplerOptions {
  intervalMs: number;
  /** Samples kept; default 360 (an hour at 10 s). */
  capacity?: number;
  /** Per probe call within a tick; default the interval, at most 5000. */
  timeoutMs?: number;
  source?: SamplerSource;
  now?: () => number;
  loadavg?: () => number[];
}

export interface Sampler {
  start(): void;
  stop(): void;
  /** Takes one sample now; resolves when it is stored or skipped. Never rejects. */
  tick(): Promise<void>;
  aggregate(): LoadSection | Unavailable;
  recent(limit?: number): RecentSample[];
  readonly intervalS: number;
  readonly size: number;
  /** Ticks skipped because the CPU or memory probe failed or hung. */
  readonly skipped: number;
}

export const DEFAULT_SAMPLER_CAPACITY = 360;

// Windows has no load average: Node returns [0, 0, 0], which would read as "idle".
const defaultLoadavg = (): number[] => (process.platform === 'win32' ? [] : os.loadavg());

function finiteOrNaN(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

function nullIfNaN(value: number | undefined): number | null {
  return value === undefined || Number.isNaN(value) ? null : value;
}

function checkOptions(options: SamplerOptions): { intervalMs: number; capacity: number; timeoutMs: number } {
  const { intervalMs } = options;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new Error(`createSampler: intervalMs must be a positive number of milliseconds, got ${String(intervalMs)}`);
  }
  const capacity = options.capacity ?? DEFAULT_SAMPLER_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new Error(`createSampler: capacity must be a positive integer, got ${String(capacity)}`);
  const timeoutMs = options.timeoutMs ?? Math.min(intervalMs, 5000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new Error(`createSampler: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  return { intervalMs, capacity, timeoutMs };
}

export function createSampler(options: SamplerOptions): Sampler {
  const { intervalMs, capacity, timeoutMs } = checkOptions(options);
  const source: SamplerSource = options.source ?? si;
  const now = options.now ?? Date.now;
  const loadavg = options.loadavg ?? defaultLoadavg;

  // One column per series; NaN is "no value" (null in the payload).
  const at = new Float64Array(capacity);
  const cpu = new Float64Array(capacity);
  const mem = new Float64Array(capacity);
  const read = new Float64Array(capacity);
  const write = new Float64Array(capacity);
  const load1 = new Float64Array(capacity);
  const scratch = new Float64Array(capacity);
  let next = 0; // slot the next sample goes to
  let size = 0;
  let skipped = 0;
  let timer: NodeJS.Timeout | null = null;
  let primed = false;
  let inFlight: Promise<void> | null = null;

  /** i-th sample in time order (0 = oldest). */
  const slot = (i: number): number => (next - size + i + capacity) % capacity;

  async function sample(): Promise<void> {
    const [load, memory, disk] = await Promise.all([
      withTimeout('currentLoad', timeoutMs, () => source.currentLoad()),
      withTimeout('mem', timeoutMs, () => source.mem()),
      withTimeout('fsStats', timeoutMs, () => source.fsStats()),
    ]);
    if (!load.ok || !memory.ok) {
      skipped++;
      const reason = !load.ok ? load.reason : memory.ok ? '' : memory.reason;
      (skipped === 1 ? log.warn : log.debug)(`load sample skipped: ${reason}`);
      return;
    }
    const { total, available } = memory.value;
    let avg: number | undefined;
    try {
      avg = loadavg()[0];
    } catch {
      avg = undefined;
    }
    const i = next;
    at[i] = now();
    cpu[i] = finiteOrNaN(load.value.currentLoad);
    mem[i] = total > 0 ? finiteOrNaN(((total - available) / total) * 100) : Number.NaN;
    read[i] = disk.ok ? finiteOrNaN(disk.value?.rx_sec) : Number.NaN;
    write[i] = disk.ok ? finiteOrNaN(disk.value?.wx_sec) : Number.NaN;
    load1[i] = finiteOrNaN(avg);
    next = (next + 1) % capacity;
    if (size < capacity) size++;
  }

  function tick(): Promise<void> {
    // A tick still waiting on a slow probe is shared rather than stacked.
    inFlight ??= sample()
      .catch((error: unknown) => {
        skipped++;
        log.warn(`load sample failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  function prime(): void {
    if (primed) return;
    primed = true;
    // systeminformation's first currentLoad() sleeps ~500 ms to get a baseline and the
    // first fsStats() has no rate yet: take both now, in the background, so the first
    // tick measures the real interval. Results and failures are ignored.
    void withTimeout('currentLoad (baseline)', Math.max(timeoutMs, 1000), () => source.currentLoad());
    void withTimeout('fsStats (baseline)', timeoutMs, () => source.fsStats());
  }

  return {
    start(): void {
      if (timer !== null) return;
      prime();
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref(); // sampling alone never keeps the process alive
    },
    stop(): void {
      if (timer === null) return;
      clearInterval(timer);
      timer = null;
    },
    tick,
    aggregate(): LoadSection | Unavailable {
      if (size === 0) return { unavailable: true, reason: 'no samples yet' };
      const oldest = at[slot(0)] as number;
      const newest = at[slot(size - 1)] as number;
      return {
        samples: size,
        // Each sample stands for the interval that ends at it.
        window_s: Math.max(0, newest - oldest) / 1000 + intervalMs / 1000,
        cpu_pct: summarize(cpu, size, slot, scratch),
        mem_used_pct: summarize(mem, size, slot, scratch),
        disk_read_bps: summarize(read, size, slot, scratch),
        disk_write_bps: summarize(write, size, slot, scratch),
        load_avg_1m: summarize(load1, size, slot, scratch),
      };
    },
    recent(limit?: number): RecentSample[] {
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
        throw new Error(`recent: limit must be a non-negative integer, got ${String(limit)}`);
      const count = Math.min(size, limit ?? size);
      const t = now();
      const out: RecentSample[] = [];
      for (let k = 0; k < count; k++) {
        const i = slot(size - 1 - k);
        out.push({ age_s: Math.max(0, t - (at[i] as number)) / 1000, cpu_pct: nullIfNaN(cpu[i]), mem_used_pct: nullIfNaN(mem[i]) });
      }
      return out;
    },
    get intervalS(): number {
      return intervalMs / 1000;
    },
    get size(): number {
      return size;
    },
    get skipped(): number {
      return skipped;
    },
  };
}
