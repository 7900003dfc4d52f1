import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReportIdFilter } from '../../collector/store/report-id-filter.js';
import { DuckDbStore } from '../../collector/store/duckdb.js';
import { fleet } from './support/fleet.js';

// The DuckDB store's duplicate check: a Bloom filter of the stored report_ids spares
// the column scan, and still finds every duplicate, also of reports stored before a
// restart or written as schema v1 (body digest ids).

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop() ?? '', { recursive: true, force: true });
});

describe('ReportIdFilter', () => {
  it('never forgets an id it was given, and rarely claims one it was not', () => {
    const filter = new ReportIdFilter(50_000);
    const held = Array.from({ length: 50_000 }, () => randomUUID());
    for (const id of held) filter.add(id);
    expect(held.every((id) => filter.mightHold(id))).toBe(true);
    const strangers = Array.from({ length: 50_000 }, () => randomUUID());
    const false_ = strangers.filter((id) => filter.mightHold(id)).length;
    expect(false_ / strangers.length).toBeLessThan(0.02);
    expect(filter.full).toBe(false);
  });
});

describe('DuckDbStore duplicates', () => {
  it('finds the duplicates of reports stored before a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'candor-duckdb-'));
    dirs.push(dir);
    const items = [...fleet({ reports: 300, version: 2, seed: 61 }), ...fleet({ reports: 100, version: 1, seed: 62 })].map((f) => f.item);
    const first = await DuckDbStore.open({ path: join(dir, 'c.duckdb') });
    expect((await first.insert(items.slice(0, 250))).stored).toHaveLength(250);
    await first.close();
    const again = await DuckDbStore.open({ path: join(dir, 'c.duckdb') });
    const outcome = await again.insert(items);
    expect(outcome.stored).toEqual(items.slice(250).map((i) => i.reportId));
    expect(new Set(outcome.duplicates)).toEqual(new Set(items.slice(0, 250).map((i) => i.reportId)));
    // Deleted ids stay in the filter: a report stored again after a deletion is still taken.
    const ids = [items[0]?.instanceId ?? ''];
    await again.deleteInstances(ids);
    const back = items.filter((i) => i.instanceId === ids[0]);
    expect((await again.insert(back)).stored).toHaveLength(back.length);
    expect((await again.aggregateInputs({ since: null })).reports).toBe(items.length);
    await again.close();
  });
});
