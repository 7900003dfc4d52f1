import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './harness.js';
import { contrast, HONOLULU, honoluluText } from './page-checks.js';

// The collector's answer to a deletion request, in the page's sent history. The agent is
// real and delivers to a collector on 127.0.0.1 that plays `candor collector`'s deletion
// route: it deletes the reports it holds under the ids and answers
// {ids, rows_deleted, deleted_at}. The request is sent with the page's own button; the
// receipt row must carry the collector's counts and time, in the person's time zone.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The collector's clock, far from now: the row must show the collector's time, not this machine's. */
const DELETED_AT = '2026-11-29T17:31:00.000Z';

const t = useHarness(async (h) => {
  h.collector.deletionAnswer = { kind: 'receipt', deletedAt: DELETED_AT };
  await h.handle.agent.api.setConsent({ granted: true });
  // Two reports under this run's id: two rows for the collector to delete.
  await h.handle.agent.sendNow();
  await h.handle.agent.sendNow();
}, HONOLULU);

/** The deletion requests the collector was sent, oldest first. */
const deletionRequests = (): { ids: string[]; requested_at: string }[] =>
  t.collector.received.filter((r) => r.path === '/deletion').map((r) => r.body as { ids: string[]; requested_at: string });

const receiptLines = (page: Page): Promise<string[]> =>
  page.$$eval('#history .receipt .receipt-line', (nodes) => nodes.map((n) => n.textContent ?? ''));

/** A new run of the agent (a new instance id) that delivered one report, and a fresh page on it. */
async function newRunWithPage(): Promise<Page> {
  await t.page.context().close();
  await t.restartAgent();
  await t.handle.agent.sendNow();
  ({ page: t.page } = await t.openPage('light'));
  return t.page;
}

async function sendFromPage(page: Page): Promise<void> {
  const send = page.locator('#deletion button[data-action="send-deletion"]');
  await send.waitFor();
  await send.click();
}

describe('deletion receipts in the sent history', () => {
  it("shows the collector's receipt with its counts once the page's request is answered, ids behind a disclosure", async () => {
    const id = t.handle.agent.telemetryId;
    expect(t.collector.held(id)).toBe(2);
    expect(await t.page.locator('#history .receipt').count()).toBe(0);
    expect(await t.page.locator('#deletion-receipts-title').count()).toBe(0);

    await sendFromPage(t.page);
    const row = t.page.locator('#history .receipt');
    await row.waitFor();
    expect(t.collector.held(id)).toBe(0);
    const [request, ...more] = deletionRequests();
    expect(more).toEqual([]);
    expect(request?.ids).toEqual([id]);

    const requestedAt = request?.requested_at ?? '';
    expect(await row.locator('.receipt-line').textContent()).toMatch(
      new RegExp(
        `^Deletion request of ${honoluluText(requestedAt)} for 1 id — deleted on ${honoluluText(DELETED_AT)} \\(2 rows at the collector\\)$`,
      ),
    );
    expect(await row.locator('time').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('datetime')))).toEqual([
      requestedAt,
      DELETED_AT,
    ]);
    expect(await row.getAttribute('data-receipt')).toBe('deleted');
    expect(await t.page.textContent('#deletion .delivery')).toContain('listed under Sent history');

    // The ids stay folded until asked for; the summary is a native, focusable disclosure.
    const ids = row.locator('.receipt-ids .ids li');
    expect(await ids.first().isVisible()).toBe(false);
    const summary = row.locator('.receipt-ids summary');
    expect(await summary.textContent()).toBe('The 1 id it named (shown only here)');
    await summary.focus();
    await t.page.keyboard.press('Enter');
    expect(await ids.allTextContents()).toEqual([id]);
    expect(await ids.first().isVisible()).toBe(true);

    // What the agent itself recorded is what the row shows.
    const { deletions } = await t.handle.agent.api.history({});
    expect(deletions).toEqual([expect.objectContaining({ requested_at: requestedAt, ids: [id], deleted_at: DELETED_AT, rows_deleted: 2 })]);
    expect(await t.page.locator('[style]').count()).toBe(0);
    expect(t.problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });

  it('is readable in the light and the dark theme', async () => {
    const panels: string[] = [];
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const shot = await t.openPage(scheme);
      await shot.page.locator('#history .receipt').waitFor();
      await shot.page.locator('#history .receipt-ids summary').first().click();
      // For a person to look at (test-results/ is not committed).
      await shot.page.locator('#history').screenshot({ path: join(ROOT, `test-results/history-receipts-${scheme}.png`) });
      const [line, summary, panel] = (await shot.page.evaluate(`[
        getComputedStyle(document.querySelector('#history .receipt-line')).color,
        getComputedStyle(document.querySelector('#history .receipt-ids summary')).color,
        getComputedStyle(document.querySelector('#history').closest('.panel')).backgroundColor,
      ]`)) as string[];
      expect(contrast(line ?? '', panel ?? ''), `${scheme}: receipt text`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(summary ?? '', panel ?? ''), `${scheme}: ids summary`).toBeGreaterThanOrEqual(4.5);
      panels.push(panel ?? '');
      await shot.context.close();
    }
    expect(panels[0]).not.toBe(panels[1]);
  });

  it('says the collector sent no receipt when it answers 2xx with no body', async () => {
    t.collector.deletionAnswer = { kind: 'no-body' };
    const page = await newRunWithPage();
    const ids = [deletionRequests()[0]?.ids[0] ?? '', t.handle.agent.telemetryId];
    await sendFromPage(page);
    await page.locator('#history .receipt').nth(1).waitFor();

    const { deletions } = await t.handle.agent.api.history({});
    const newest = deletions.find((d) => d.deleted_at === null);
    expect(newest).toMatchObject({ rows_deleted: null });
    expect([...(newest?.ids ?? [])].sort()).toEqual([...ids].sort());
    const [first, second] = await receiptLines(page);
    // Newest first.
    expect(first).toMatch(
      new RegExp(
        `^Deletion request of ${honoluluText(newest?.requested_at ?? '')} for 2 ids — delivered on ${honoluluText(newest?.confirmed_at ?? '')}; the collector sent no receipt$`,
      ),
    );
    expect(second).toContain('(2 rows at the collector)');
    expect(await page.getAttribute('#history .receipt >> nth=0', 'data-receipt')).toBe('none');
    await page.locator('#history .receipt >> nth=0').locator('summary').click();
    expect((await page.locator('#history .receipt >> nth=0').locator('.ids li').allTextContents()).sort()).toEqual([...ids].sort());
  });

  it('lists the receipt of a request that was queued once the agent delivers it, with no action on the page', async () => {
    t.collector.deletionAnswer = { kind: 'unavailable', then: { kind: 'receipt', deletedAt: DELETED_AT } };
    const page = await newRunWithPage();
    const id = t.handle.agent.telemetryId;
    const ids = [...new Set([...deletionRequests().flatMap((r) => r.ids), id])];
    expect(ids).toHaveLength(3);
    // This run's report, and the one of the run before, which a collector without receipts kept.
    const rows = ids.reduce((sum, each) => sum + t.collector.held(each), 0);
    expect(rows).toBe(2);
    await sendFromPage(page);
    await page.locator('#deletion .delivery').filter({ hasText: 'Queued' }).waitFor();
    expect(await page.locator('#history .receipt').count()).toBe(2);

    // The agent retries after the collector's Retry-After and its backoff; the page looks again by itself.
    await page.locator('#history .receipt').nth(2).waitFor({ timeout: 90_000 });
    for (const each of ids) expect(t.collector.held(each)).toBe(0);
    const [newest] = await receiptLines(page);
    expect(newest).toMatch(new RegExp(` for 3 ids — deleted on ${honoluluText(DELETED_AT)} \\(${rows} rows at the collector\\)$`));
  }, 120_000);
});
