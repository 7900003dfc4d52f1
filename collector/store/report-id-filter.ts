// A Bloom filter over the report_ids DuckDB holds, so checking a batch for duplicates
// does not scan the whole report_id column at every commit (5-10 ms at a million
// reports, growing with the table). Report ids are random (UUID v4, or a SHA-256 for
// schema v1), so their own bits serve as the two hashes. Every stored id is in the
// filter (the store is the only writer); a deleted one stays in it, which only costs
// an exact check in SQL, never a wrong answer.

const BITS_PER_ID = 10;
const PROBES = 7;

/** The two 32-bit halves of a UUID's first 64 bits (hex digits 1-8 and 9-16). */
export function uuidHalves(id: string): [number, number] {
  const hex = id.replace(/-/g, '');
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
}

export class ReportIdFilter {
  private bits: Uint32Array;
  private size: number;
  private count = 0;

  constructor(expected: number) {
    this.size = Math.max(1 << 16, Math.ceil(expected * BITS_PER_ID));
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  /** Past the planned load, a new filter twice the size is needed (false positives would climb). */
  get full(): boolean {
    return this.count * BITS_PER_ID > this.size;
  }

  addHalves(a: number, b: number): void {
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + Math.imul(i, b)) >>> 0;
      const at = bit % this.size;
      this.bits[at >>> 5] = (this.bits[at >>> 5] as number) | (1 << (at & 31));
    }
    this.count += 1;
  }

  add(id: string): void {
    this.addHalves(...uuidHalves(id));
  }

  /** False: certainly not stored. True: maybe (ask the database). */
  mightHold(id: string): boolean {
    const [a, b] = uuidHalves(id);
    for (let i = 0; i < PROBES; i++) {
      const at = ((a + Math.imul(i, b)) >>> 0) % this.size;
      if (((this.bits[at >>> 5] as number) & (1 << (at & 31))) === 0) return false;
    }
    return true;
  }
}
