import { mergeInto, newSeriesArray, SERIES_LENGTH } from '../collect/histogram.js';
import { addCoarse, addSameBounds, type CoarseHistogram } from './histogram-merge.js';

// One series (metric + label set) of one source, as Candor keeps it: a running total
// since the agent started, whatever the app's temporality.
//
// DELTA points are added up. CUMULATIVE points each carry the app's total since its
// start time, so the latest point per start time is the total of that "stream": one
// process of the app since it started. A new start time (the app restarted, or a
// second process of the same app) opens a new stream beside the others; a value that
// goes down under the same start time is a reset, and the stream's previous total is
// carried. So restarts and several processes add up instead of overwriting each other.
// At most `maxStreams` streams are held; the least recently updated is then folded
// into the carried total (its last value is final unless that process sends again).

export interface SeriesLabels {
  /** Attributes declared as categories for this source: value in the declared list, else `other`. */
  readonly categories: Readonly<Record<string, string>>;
  /** Every other safe attribute, value raw: the payload rules hash it with the per-start key. */
  readonly hashed: Readonly<Record<string, string>>;
}

export const DELTA = 1;
export const CUMULATIVE = 2;

/** Estimated bytes of the parts every series has (object, map entry, arrays). */
export const SERIES_BASE_BYTES = 240;
const STREAM_BYTES = 48;
export const FINE_BYTES = SERIES_LENGTH * 8 + 64;

export function coarseBytes(h: CoarseHistogram): number {
  return 96 + 8 * (h.bounds.length + h.counts.length);
}

let tick = 0;

export class CounterSeries {
  private delta = 0;
  private carried = 0;
  private readonly starts: number[] = [];
  private readonly values: number[] = [];
  private readonly seen: number[] = [];

  constructor(
    readonly labels: SeriesLabels,
    private readonly maxStreams: number,
  ) {}

  /** Returns the change in estimated bytes. */
  add(temporality: number, start: number, value: number): number {
    if (temporality === DELTA) {
      this.delta += value;
      return 0;
    }
    const now = ++tick;
    const i = this.starts.indexOf(start);
    if (i >= 0) {
      const latest = this.values[i] as number;
      if (value < latest) this.carried += latest; // a reset under the same start time
      this.values[i] = value;
      this.seen[i] = now;
      return 0;
    }
    let bytes = STREAM_BYTES;
    if (this.starts.length >= this.maxStreams) {
      const oldest = this.seen.indexOf(Math.min(...this.seen));
      this.carried += this.values[oldest] as number;
      this.starts.splice(oldest, 1);
      this.values.splice(oldest, 1);
      this.seen.splice(oldest, 1);
      bytes = 0;
    }
    this.starts.push(start);
    this.values.push(value);
    this.seen.push(now);
    return bytes;
  }

  total(): number {
    let sum = this.delta + this.carried;
    for (const v of this.values) sum += v;
    return sum;
  }
}

interface Stream {
  start: number;
  latest: CoarseHistogram;
  seen: number;
}

interface DeltaAcc {
  bounds: readonly number[];
  counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export class HistogramSeries {
  /** Delta points with the same bounds, added in the app's buckets (cheap, small). */
  private acc: DeltaAcc | null = null;
  /** Everything else, already in Candor's layout: folded streams, deltas with other bounds. */
  private fine: Float64Array | null = null;
  private readonly streams: Stream[] = [];

  constructor(
    readonly labels: SeriesLabels,
    private readonly maxStreams: number,
    /** Multiplier into the reported unit (seconds -> ms: 1000). */
    private readonly scale: number,
  ) {}

  /** Returns the change in estimated bytes. */
  add(temporality: number, start: number, h: CoarseHistogram): number {
    if (temporality === DELTA) return this.addDelta(h);
    const now = ++tick;
    for (const s of this.streams) {
      if (s.start !== start) continue;
      const before = coarseBytes(s.latest);
      let bytes = 0;
      if (h.count < s.latest.count) bytes += this.fold(s.latest); // a reset under the same start time
      s.latest = h;
      s.seen = now;
      return bytes + coarseBytes(h) - before;
    }
    let bytes = coarseBytes(h) + STREAM_BYTES;
    if (this.streams.length >= this.maxStreams) {
      let oldest = 0;
      for (let i = 1; i < this.streams.length; i++)
        if ((this.streams[i] as Stream).seen < (this.streams[oldest] as Stream).seen) oldest = i;
      const [gone] = this.streams.splice(oldest, 1) as [Stream];
      bytes += this.fold(gone.latest) - coarseBytes(gone.latest) - STREAM_BYTES;
    }
    this.streams.push({ start, latest: h, seen: now });
    return bytes;
  }

  private addDelta(h: CoarseHistogram): number {
    const acc = this.acc;
    if (acc !== null && addSameBounds(acc, h)) {
      acc.count += h.count;
      acc.sum += h.sum; // NaN once any point lacked its sum: then estimated from the buckets
      acc.min = Math.min(acc.min, h.min);
      acc.max = Math.max(acc.max, h.max);
      return 0;
    }
    let bytes = 0;
    if (acc !== null) bytes += this.fold(acc) - coarseBytes(acc);
    this.acc = { bounds: h.bounds, counts: h.counts.slice(), count: h.count, sum: h.sum, min: h.min, max: h.max };
    return bytes + coarseBytes(h);
  }

  /** Pours a coarse histogram into `fine`; returns the bytes that took (0 once fine exists). */
  private fold(h: CoarseHistogram): number {
    const allocated = this.fine === null;
    this.fine ??= newSeriesArray();
    addCoarse(this.fine, h, this.scale);
    return allocated ? FINE_BYTES : 0;
  }

  /** The series in Candor's layout (a new array). */
  merged(): Float64Array {
    const out = newSeriesArray();
    if (this.fine !== null) mergeInto(out, this.fine);
    if (this.acc !== null) addCoarse(out, this.acc, this.scale);
    for (const s of this.streams) addCoarse(out, s.latest, this.scale);
    return out;
  }
}
