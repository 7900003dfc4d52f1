import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deletionReceiptLine } from '../../main/send/deletion-text.js';
import { DeletionQueue, RECEIPTS_FILE } from '../../main/send/deletion.js';
import { startCollector as startScriptedCollector } from '../support/collector.js';
import { startTestCollector, type TestCollector } from './support/collector.js';
import { fleet } from './support/fleet.js';

// The agent's side of a deletion: the DeletionQueue delivers to a real collector,
// records the collector's receipt next to its queue, and reads it back for the history
// ("deleted on ..."), also when the answer holds no receipt or the file is damaged.

const items = fleet({ reports: 200, version: 1, seed: 31 }).map((f) => f.item);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function queueDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'candor-deletion-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('deletion receipts', () => {
  it('records the receipt of a collector that deleted the rows', async () => {
    const collector: TestCollector = await startTestCollector();
    cleanups.push(() => collector.close());
    await collector.store.insert(items);
    const ids = [...new Set(items.map((i) => i.instanceId))].slice(0, 3);
    const rows = await collector.store.countRows(ids);
    const dir = queueDir();
    const queue = new DeletionQueue({
      dir,
      endpoint: () => `${collector.url}v1/deletion-requests`,
      gate: () => true,
      userAgent: 'Candor/test',
    });
    const request = await queue.request({ ids, contact: null, send: true });
    expect(request.delivery).toBe('sent');
    const [receipt, ...more] = await queue.receipts();
    expect(more).toEqual([]);
    expect(receipt?.ids).toEqual(ids);
    expect(receipt?.rows_deleted).toBe(rows);
    expect(Date.parse(receipt?.deleted_at ?? '')).not.toBeNaN();
    expect(await collector.store.countRows(ids)).toBe(0);
    expect(statSync(join(dir, RECEIPTS_FILE)).mode & 0o777).toBe(0o600);
    expect(deletionReceiptLine(receipt ?? ({} as never))).toBe(
      `deletion request of ${receipt?.requested_at} for 3 instance id(s): deleted on ${receipt?.deleted_at} (${rows} rows at the collector)`,
    );
    await queue.stop();
  });

  it('records the delivery when the answer holds no receipt', async () => {
    const plain = await startScriptedCollector('/delete');
    cleanups.push(() => plain.close());
    const dir = queueDir();
    const queue = new DeletionQueue({ dir, endpoint: () => plain.url, gate: () => true, userAgent: 'Candor/test' });
    expect((await queue.request({ ids: ['0b9d7f3c-0c1e-4a3f-9d2b-5d3f0b1c2a4e'], contact: null, send: true })).delivery).toBe('sent');
    const [receipt] = await queue.receipts();
    expect(receipt).toMatchObject({ deleted_at: null, rows_deleted: null, ids: ['0b9d7f3c-0c1e-4a3f-9d2b-5d3f0b1c2a4e'] });
    expect(deletionReceiptLine(receipt ?? ({} as never))).toMatch(/delivered on .*; the collector sent no receipt/);
    await queue.stop();
  });

  it('skips a damaged line, and moves aside a receipts file it cannot read', async () => {
    const dir = queueDir();
    const queue = new DeletionQueue({ dir, endpoint: () => null, gate: () => true, userAgent: 'Candor/test' });
    const good = {
      requested_at: '2026-11-29T10:00:00.000Z',
      ids: ['a'],
      deleted_at: '2026-11-29T10:00:01.000Z',
      rows_deleted: 4,
      confirmed_at: '2026-11-29T10:00:01.500Z',
    };
    writeFileSync(join(dir, RECEIPTS_FILE), `${JSON.stringify(good)}\n{"torn": \n`);
    appendFileSync(join(dir, RECEIPTS_FILE), `${JSON.stringify({ ...good, rows_deleted: -1 })}\n`);
    expect(await queue.receipts()).toEqual([good]);
    expect(readFileSync(join(dir, RECEIPTS_FILE), 'utf8').split('\n').filter(Boolean)).toHaveLength(3);

    rmSync(join(dir, RECEIPTS_FILE));
    mkdirSync(join(dir, RECEIPTS_FILE));
    expect(await queue.receipts()).toEqual([]);
    expect(existsSync(join(dir, RECEIPTS_FILE))).toBe(false);
    expect(readdirSync(dir).some((name) => name.startsWith(`${RECEIPTS_FILE}.corrupt-`))).toBe(true);
    await queue.stop();
  });
});
