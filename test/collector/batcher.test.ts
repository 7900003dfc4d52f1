import { afterEach, describe, expect, it } from 'vitest';
import { Batcher } from '../../collector/batcher.js';
import { DuckDbStore } from '../../collector/store/duckdb.js';
import { StoreUnavailableError, type InsertOutcome, type ReportItem, type Store } from '../../collector/store/store.js';
import { fleet } from './support/fleet.js';

// Group commit over a real DuckDB store: reports that arrive while a write runs go
// together in the next one, each submitter hears back only after the write holding its
// report has returned, and a failed write fails every report in it.

const items = fleet({ reports: 60, version: 1, seed: 21 }).map((f) => f.item);

/** The real store, with each insert held until the test lets it go (to see what a write holds). */
function held(store: Store): { store: Store; writes: number[]; release(): void } {
  const writes: number[] = [];
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const wrapped: Store = Object.create(store) as Store;
  wrapped.insert = async (batch: readonly ReportItem[]): Promise<InsertOutcome> => {
    writes.push(batch.length);
    await gate;
    return store.insert(batch);
  };
  return {
    store: wrapped,
    writes,
    release() {
      open();
      gate = Promise.resolve();
    },
  };
}

let store: DuckDbStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

describe('Batcher', () => {
  it('writes the reports that arrive during a write together, and answers each after its write', async () => {
    store = await DuckDbStore.open({ path: ':memory:' });
    const h = held(store);
    const batcher = new Batcher({ store: h.store, lingerMs: 0 });
    const first = batcher.submit(items[0] as ReportItem);
    while (h.writes.length === 0) await new Promise((r) => setTimeout(r, 5));
    const rest = items.slice(1, 41).map((item) => batcher.submit(item));
    let answered = false;
    void first.then(() => (answered = true));
    // The write holding the first report has not returned: its submitter has no answer.
    await Promise.resolve();
    expect(answered).toBe(false);
    expect(batcher.waiting).toBe(40);
    h.release();
    expect(await first).toBe('stored');
    const outcomes = await Promise.all(rest);
    expect(h.writes).toEqual([1, 40]);
    expect(outcomes.filter((o) => o === 'stored').length + outcomes.filter((o) => o === 'duplicate').length).toBe(40);
    const stored = await store.aggregateInputs({ since: null });
    expect(stored.reports).toBe(new Set(items.slice(0, 41).map((i) => i.reportId)).size);
  });

  it('splits a long queue into writes of at most maxBatch, and flush() waits for all of them', async () => {
    store = await DuckDbStore.open({ path: ':memory:' });
    const h = held(store);
    h.release();
    const batcher = new Batcher({ store: h.store, maxBatch: 16, lingerMs: 50 });
    const all = items.map((item) => batcher.submit(item));
    await batcher.flush();
    expect(batcher.waiting).toBe(0);
    expect(Math.max(...h.writes)).toBeLessThanOrEqual(16);
    expect(h.writes.reduce((a, b) => a + b, 0)).toBe(items.length);
    await Promise.all(all);
  });

  it('fails every report of a failed write, and the next write goes ahead', async () => {
    store = await DuckDbStore.open({ path: ':memory:' });
    const real = store;
    let fail = true;
    const flaky: Store = Object.create(real) as Store;
    flaky.insert = (batch) => (fail ? Promise.reject(new StoreUnavailableError('disk on fire', 7)) : real.insert(batch));
    const batcher = new Batcher({ store: flaky, lingerMs: 10 });
    const failed = await Promise.allSettled(items.slice(0, 5).map((item) => batcher.submit(item)));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    fail = false;
    expect(await batcher.submit(items[0] as ReportItem)).toBe('stored');
  });

  it('refuses at once beyond maxPending, so memory stays bounded', async () => {
    store = await DuckDbStore.open({ path: ':memory:' });
    const h = held(store);
    const batcher = new Batcher({ store: h.store, maxPending: 3, lingerMs: 0 });
    const first = batcher.submit(items[0] as ReportItem);
    while (h.writes.length === 0) await new Promise((r) => setTimeout(r, 5));
    const queued = [1, 2, 3].map((i) => batcher.submit(items[i] as ReportItem));
    await expect(batcher.submit(items[4] as ReportItem)).rejects.toThrow(/waiting to be written/);
    h.release();
    await Promise.all([first, ...queued]);
  });
});
