import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../collector/store/duckdb.js';
import type { AggregateInputs, ReportItem, Store } from '../../collector/store/store.js';
import type { Row } from '../../collector/store/tables.js';
import { APP_ROOT } from '../../main/version.js';
import { fleet } from './support/fleet.js';

// The DuckDB store's write path: appenders kept from one write to the next, the next
// write's transaction opened as soon as a commit returns, and the whole store on a
// worker thread in the built collector (dist/: a worker runs JavaScript). A failed
// write leaves nothing behind, deletion and retention commit what they do, and the
// threaded store answers exactly as the one in this thread.

type ThreadModule = typeof import('../../collector/store/duckdb-thread.js');

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  while (stores.length > 0) await stores.pop()?.close();
  while (dirs.length > 0) rmSync(dirs.pop() ?? '', { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'candor-store-thread-'));
  dirs.push(dir);
  return join(dir, 'c.duckdb');
}

async function threaded(): Promise<ThreadModule> {
  return (await import(pathToFileURL(join(APP_ROOT, 'dist/collector/store/duckdb-thread.js')).href)) as ThreadModule;
}

const items = [...fleet({ reports: 240, version: 2, seed: 71, sources: true }), ...fleet({ reports: 60, version: 1, seed: 72 })].map(
  (f) => f.item,
);

/** The aggregate inputs with each list in one order (group-by results come in any order). */
function sorted(inputs: AggregateInputs): AggregateInputs {
  const order = <T>(rows: readonly T[]): T[] => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return {
    ...inputs,
    dims: order(inputs.dims),
    timers: order(inputs.timers),
    buckets: order(inputs.buckets),
    counters: order(inputs.counters),
    errors: order(inputs.errors),
    errorVersions: order(inputs.errorVersions),
  };
}

/** A copy of an item whose timers cannot be converted (a count that is not a number): its write fails part-way. */
function poisoned(item: ReportItem): ReportItem {
  const timers = item.rows.timers.map((row): Row => row.map((cell, i) => (i === 5 ? 'not a number' : cell)));
  return { ...item, rows: { ...item.rows, timers } };
}

describe('DuckDbStore writes', () => {
  it('rolls back a write that fails part-way, whole, and stores the next one', async () => {
    const store = await DuckDbStore.open({ path: tempFile() });
    stores.push(store);
    const withTimers = items.slice(60).find((i) => i.rows.timers.length > 0);
    if (withTimers === undefined) throw new Error('the fleet has no timers');
    await store.insert(items.slice(0, 20));
    // The reports, disks, gpus and sources tables are flushed before the timers fail.
    await expect(store.insert([...items.slice(20, 40), poisoned(withTimers)])).rejects.toThrow(/DuckDB insert failed/);
    expect(await store.countRows(items.slice(20, 40).map((i) => i.instanceId))).toBe(
      // Only rows of instances that also have reports in the first, stored write.
      items
        .slice(0, 20)
        .filter((i) => items.slice(20, 40).some((j) => j.instanceId === i.instanceId))
        .reduce((n, i) => n + Object.values(i.rows).reduce((m, rows) => m + rows.length, 0), 0),
    );
    expect((await store.aggregateInputs({ since: null })).reports).toBe(20);
    const next = await store.insert(items.slice(20, 60));
    expect(next.stored).toHaveLength(40);
    expect((await store.aggregateInputs({ since: null })).reports).toBe(60);
  });

  it('commits deletions and retention made in the transaction opened ahead, as a restart shows', async () => {
    const path = tempFile();
    const store = await DuckDbStore.open({ path });
    await store.insert(items.slice(0, 100));
    const gone = items[0]?.instanceId ?? '';
    const { rowsDeleted, remaining } = await store.deleteInstances([gone]);
    expect(rowsDeleted).toBeGreaterThan(0);
    expect(remaining).toBe(0);
    await store.insert(items.slice(100, 150));
    const days = [...new Set(items.slice(0, 150).map((i) => String(i.rows.reports[0]?.[0])))].sort();
    const cutoff = days[Math.floor(days.length / 2)] ?? '';
    const removed = await store.removeBefore(cutoff);
    expect(removed).toBeGreaterThan(0);
    const left = (await store.aggregateInputs({ since: null })).reports;
    await store.close();

    const again = await DuckDbStore.open({ path });
    stores.push(again);
    expect((await again.aggregateInputs({ since: null })).reports).toBe(left);
    expect(await again.countRows([gone])).toBe(
      items
        .slice(100, 150)
        .filter((i) => i.instanceId === gone && String(i.rows.reports[0]?.[0]) >= cutoff)
        .reduce((n, i) => n + Object.values(i.rows).reduce((m, rows) => m + rows.length, 0), 0),
    );
    expect(await again.removeBefore(cutoff)).toBe(0);
  });
});

describe('the DuckDB store on a worker thread', () => {
  it('answers every call as the store in this thread does', async () => {
    const { ThreadedDuckDbStore } = await threaded();
    const here = await DuckDbStore.open({ path: tempFile() });
    const there = await ThreadedDuckDbStore.open({ path: tempFile() });
    stores.push(here, there);
    expect(there.kind).toBe('duckdb');
    const batches = [items.slice(0, 120), [...items.slice(100, 200), items[5] as ReportItem], items.slice(180)];
    for (const batch of batches) expect(await there.insert(batch)).toEqual(await here.insert(batch));
    const ids = items.slice(0, 30).map((i) => i.instanceId);
    expect(await there.countRows(ids)).toBe(await here.countRows(ids));
    expect(await there.instanceReports(ids[0] ?? '')).toBe(await here.instanceReports(ids[0] ?? ''));
    expect(sorted(await there.aggregateInputs({ since: null }))).toEqual(sorted(await here.aggregateInputs({ since: null })));
    expect(await there.deleteInstances(ids.slice(0, 5))).toEqual(await here.deleteInstances(ids.slice(0, 5)));
    const cutoff = String(items[150]?.rows.reports[0]?.[0]);
    expect(await there.removeBefore(cutoff)).toBe(await here.removeBefore(cutoff));
    expect(sorted(await there.aggregateInputs({ since: cutoff }))).toEqual(sorted(await here.aggregateInputs({ since: cutoff })));
  });

  it('passes a store failure on as one the route answers 503, and keeps working', async () => {
    const { ThreadedDuckDbStore } = await threaded();
    const store = await ThreadedDuckDbStore.open({ path: tempFile() });
    stores.push(store);
    const failure = await store.deleteInstances(['not-a-uuid']).catch((error: unknown) => error as Error & { retryAfterS?: number });
    expect(failure).toMatchObject({
      name: 'StoreUnavailableError',
      message: expect.stringMatching(/DuckDB delete failed: not a canonical UUID/),
    });
    expect((failure as { retryAfterS?: number }).retryAfterS).toBeGreaterThan(0);
    expect((await store.insert(items.slice(0, 10))).stored).toHaveLength(10);
  });

  it('says why it cannot open a file, and refuses calls once closed', async () => {
    const { ThreadedDuckDbStore } = await threaded();
    const missing = join(tempFile(), 'no-such-dir', 'c.duckdb');
    await expect(ThreadedDuckDbStore.open({ path: missing })).rejects.toThrow(new RegExp(`DuckDB could not open ${missing}`));
    const store = await ThreadedDuckDbStore.open({ path: tempFile() });
    await store.insert(items.slice(0, 5));
    await store.close();
    await expect(store.insert(items.slice(5, 10))).rejects.toThrow(/the store is closed/);
  });
});
