import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Aggregates } from '../../collector/aggregates.js';
import { launchChromium } from '../renderer/browser.js';
import { startTestCollector, TEST_TOKEN, type TestCollector } from './support/collector.js';
import { fleet, FLEET_NOW } from './support/fleet.js';
import { send } from './support/http.js';

// The dashboard at / in a real Chromium, against a collector holding a seeded fleet
// (schema v2: histograms and sources): charts of what GET /v1/aggregates answers, the
// token taken from the fragment into sessionStorage (a reload keeps working), a strict
// CSP that the page itself never trips.

let collector: TestCollector;
let browser: Browser;
let aggregates: Aggregates;

beforeAll(async () => {
  collector = await startTestCollector({ minGroupSize: 3, now: () => FLEET_NOW });
  const items = fleet({ reports: 3000, version: 2, seed: 5, sources: true }).map((f) => f.item);
  for (let i = 0; i < items.length; i += 500) await collector.store.insert(items.slice(i, i + 500));
  aggregates = (await send(collector.url, '/v1/aggregates?days=30', { token: TEST_TOKEN })).json as unknown as Aggregates;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await collector?.close();
});

async function open(fragment: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${collector.url}${fragment}`);
  return { page, problems };
}

describe('collector dashboard', () => {
  it('charts the aggregates, keeps the token out of the address bar, and trips no CSP rule', async () => {
    const { page, problems } = await open(`#token=${TEST_TOKEN}`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(page.url()).toBe(collector.url);
    expect(await page.evaluate(`sessionStorage.getItem('candor-collector-token')`)).toBe(TEST_TOKEN);
    expect(await page.textContent('#total-reports')).toBe(aggregates.reports.toLocaleString('en-US'));
    expect(aggregates.reports).toBeGreaterThan(0);

    // One bar per distribution cell the API shows, named by its value.
    for (const dist of aggregates.distributions.filter((d) => d.cells.length > 0)) {
      const bars = await page.$$eval(`#distributions figure[data-dim="${dist.dim}"] rect.bar`, (nodes) =>
        nodes.map((n) => n.getAttribute('data-value')),
      );
      expect(bars, dist.dim).toEqual(dist.cells.map((c) => (c.value === '' ? 'unknown' : c.value)));
    }
    // Timers: a row per timer with its merged p95, and a percentile chart.
    expect(aggregates.timers.length).toBeGreaterThan(0);
    for (const timer of aggregates.timers) {
      const row = page.locator(`#timers tr[data-metric="${timer.metric}"]`);
      expect(await row.locator('td.p95').textContent()).not.toBe('–');
      expect(await row.locator('svg.pct rect').count()).toBe(3);
    }
    // Each source the API shows gets its section.
    expect(aggregates.sources.length).toBeGreaterThan(0);
    const sources = await page.$$eval('#sources section.source', (nodes) => nodes.map((n) => n.getAttribute('data-source')));
    expect(sources).toEqual(aggregates.sources.map((s) => s.name));
    expect(await page.locator('[style]').count()).toBe(0);

    // A reload finds the token in sessionStorage.
    await page.reload();
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.textContent('#error')).toBe('');
    expect(problems).toEqual([]);
    const response = await page.request.get(collector.url);
    expect(response.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.close();
  });

  it('says what to do without a token, and with a refused one', async () => {
    const none = await open('');
    await none.page.waitForFunction(`(document.getElementById('error')?.textContent ?? '') !== ''`);
    expect(await none.page.textContent('#error')).toMatch(/No admin token/);
    await none.page.close();

    const wrong = await open('#token=not-the-right-token-at-all');
    await wrong.page.waitForFunction(`(document.getElementById('error')?.textContent ?? '') !== ''`);
    expect(await wrong.page.textContent('#error')).toMatch(/refused the admin token/);
    expect(await wrong.page.evaluate(`sessionStorage.getItem('candor-collector-token')`)).toBeNull();
    await wrong.page.close();
  });

  it('reloads for another window of days', async () => {
    const { page } = await open(`#token=${TEST_TOKEN}`);
    await page.waitForSelector('body[data-loaded="true"]');
    const all = (await send(collector.url, '/v1/aggregates', { token: TEST_TOKEN })).json as unknown as Aggregates;
    expect(all.reports).toBeGreaterThan(aggregates.reports);
    await page.evaluate(`document.body.removeAttribute('data-loaded')`);
    await page.selectOption('#window', '');
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.textContent('#total-reports')).toBe(all.reports.toLocaleString('en-US'));
    await page.close();
  });
});
