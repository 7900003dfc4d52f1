import { describe, expect, it } from 'vitest';
import { useHarness } from './harness.js';

// How the page behaves around its calls: stale answers, errors that go out of date,
// requests from the address bar, skip links, charts with one sample, a refused
// deletion. Some answers are made up by replacing a method of window.candor in the
// page: the panels look each method up when they call it.

const t = useHarness(async (h) => {
  // Something has been sent, so the deletion panel has ids to send.
  await h.handle.agent.api.setConsent({ granted: true });
  await h.handle.agent.sendNow();
});

/** Replaces window.candor[name] for its next call only, with a function body of (original, input). */
async function replaceOnce(name: string, body: string): Promise<void> {
  await t.page.evaluate(`(() => {
    const original = window.candor[${JSON.stringify(name)}];
    window.candor[${JSON.stringify(name)}] = async (input) => {
      window.candor[${JSON.stringify(name)}] = original;
      return (async (original, input) => { ${body} })(original, input);
    };
  })()`);
}

const shownReasons = (): Promise<string[]> => t.page.$$eval('#state .reasons li', (nodes) => nodes.map((n) => n.textContent ?? ''));
const errorLine = (): Promise<string | null> => t.page.textContent('#error');

describe('page behaviour', () => {
  it('offers a second skip link, to the telemetry state', async () => {
    await t.page.keyboard.press('Tab');
    await t.page.keyboard.press('Tab');
    expect(await t.page.evaluate('document.activeElement.textContent')).toBe('Skip to telemetry state');
    await t.page.keyboard.press('Enter');
    expect(await t.page.evaluate('document.activeElement.id')).toBe('state-title');
  });

  it('draws the pushed state, not a call answer that arrives after it', async () => {
    // The agent pushes the disabled state while the call's own answer is held back.
    await replaceOnce(
      'disable',
      `
      const status = await original(input);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { ...status, reasons: ['STALE ANSWER'] };`,
    );
    await t.page.click('#state button:text-is("Disable telemetry")');
    await t.page.waitForSelector('#state button:text-is("Enable telemetry")');
    await t.page.waitForTimeout(800);
    expect(await shownReasons()).not.toContain('STALE ANSWER');
    expect(await shownReasons()).toEqual((await t.statusOverHttp()).reasons);

    await t.page.click('#state button:text-is("Enable telemetry")');
    await t.page.waitForSelector('#state button:text-is("Disable telemetry")');
    const now = await t.statusOverHttp();
    expect(await t.page.textContent('#state .facts')).toContain(`Delivery${now.delivery}`);
    expect(await shownReasons()).toEqual(now.reasons);
  });

  it('focuses the section the address asks for, also after the page opened', async () => {
    await t.page.evaluate(`location.hash = '#consent'`);
    await t.page.locator('#state:focus').waitFor();
    expect(await t.page.getAttribute('#state', 'class')).toContain('requested');

    await t.page.evaluate(`location.hash = '#deletion'`);
    await t.page.locator('#deletion:focus').waitFor();
    expect(await t.page.getAttribute('#deletion', 'class')).toContain('requested');
    expect(await t.page.getAttribute('#state', 'class')).not.toContain('requested');
  });

  it('draws a single sample as a dot', async () => {
    await replaceOnce('samples', `return { interval_s: 1, samples: [{ age_s: 0, cpu_pct: 12, mem_used_pct: 40 }] };`);
    await t.page.waitForSelector('#charts svg.chart-cpu circle.dot');
    expect(await t.page.locator('#charts svg.chart-cpu polyline').count()).toBe(0);
    expect(await t.page.locator('#charts svg.chart-mem circle.dot').count()).toBe(1);
  });

  it('clears an error when the next action starts, or when the failed call succeeds', async () => {
    await replaceOnce('exportReport', `throw new Error('exportReport: the disk is full');`);
    await t.page.click('#export');
    await t.page.locator('#error').filter({ hasText: 'the disk is full' }).waitFor();
    // Other calls succeeding (charts refresh every second) say nothing about the export.
    await t.page.waitForTimeout(1_500);
    expect(await errorLine()).toContain('the disk is full');
    await t.page.click('#expand-all');
    expect(await errorLine()).toBe('');

    // A delivery state change refreshes the history: the first refresh fails, the next one works.
    await replaceOnce('history', `throw new Error('history: a hiccup');`);
    await t.handle.agent.api.disable({});
    await t.page.locator('#error').filter({ hasText: 'a hiccup' }).waitFor();
    await t.handle.agent.api.enable({});
    await t.page.locator('#error:empty').waitFor({ state: 'attached' });
  });

  it('says a refused deletion request must be sent by hand, and does not offer it again', async () => {
    await replaceOnce('requestDeletion', `return { ...(await original({ send: false })), delivery: 'rejected' };`);
    await t.page.click('#deletion button[data-action="send-deletion"]');
    await t.page.locator('#deletion .delivery').filter({ hasText: 'Refused — send the text yourself' }).waitFor();
    expect(await t.page.locator('#deletion button[data-action="send-deletion"]').count()).toBe(0);
    expect(t.collector.received.filter((r) => r.path === '/deletion')).toHaveLength(0);
  });

  it('ran without page errors or CSP violations', () => {
    expect(t.problems.join('\n')).toBe('');
  });
});
