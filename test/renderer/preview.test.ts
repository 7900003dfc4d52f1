import { buildOnce } from '../support/build.js';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus, FieldChange } from '../../main/api.js';
import { startHeadless, type HeadlessHandle } from '../../main/headless.js';
import { findChromium, launchChromium } from './browser.js';
import { startCollector, type Collector } from './collector.js';

// The preview page in a real Chromium against a real headless agent (its loopback API,
// its event stream, its static files), delivering to a real collector on 127.0.0.1.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET_MESSAGE = 'failed at /home/alice/x with 10.1.2.3';

let handle: HeadlessHandle;
let collector: Collector;
let browser: Browser;
let page: Page;
let dataDir: string;
const pageProblems: string[] = [];

async function openPage(colorScheme: 'light' | 'dark'): Promise<{ context: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ colorScheme, viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const p = await ctx.newPage();
  p.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
  p.on('console', (message) => {
    if (message.type() === 'error') pageProblems.push(`console: ${message.text()}`);
  });
  await p.goto(handle.previewUrl);
  try {
    await p.waitForSelector('#payload[aria-busy="false"] li[data-pointer]');
    await p.waitForSelector('#state .headline');
  } catch (error) {
    const shown = await p.textContent('#error').catch(() => null);
    throw new Error(`the page did not load: ${(error as Error).message}\npage error line: ${shown ?? ''}\n${pageProblems.join('\n')}`);
  }
  return { context: ctx, page: p };
}

const row = (pointer: string): string => `#payload li[data-pointer=${JSON.stringify(pointer)}]`;

async function setLevel(level: number): Promise<void> {
  await page.check(`input[name="level"][value="${level}"]`);
  await page.waitForSelector(`#payload[data-level="${level}"][aria-busy="false"]`);
}

async function setMode(mode: 'raw' | 'anonymized'): Promise<void> {
  await page.check(`input[name="mode"][value="${mode}"]`);
  await page.waitForSelector(`#payload[data-mode="${mode}"][aria-busy="false"]`);
}

/** pointer -> anonymizer action ('' when unchanged) of every node the page shows. */
async function shownPointers(): Promise<Map<string, string>> {
  const pairs = await page.$$eval('#payload [data-pointer]', (nodes) => nodes.map((n) => [n.getAttribute('data-pointer') ?? '', n.getAttribute('data-action') ?? '']));
  return new Map(pairs as [string, string][]);
}

async function topLevelKeys(): Promise<string[]> {
  return page.$$eval('#payload .tree-view > ul.tree > li[data-pointer]', (nodes) => nodes.map((n) => (n.getAttribute('data-pointer') ?? '').slice(1)));
}

async function statusOverHttp(): Promise<AgentStatus> {
  const response = await fetch(`${handle.url}status`, { headers: { Authorization: `Bearer ${handle.token}` } });
  const body = (await response.json()) as { result: AgentStatus };
  return body.result;
}

async function shownReasons(): Promise<string[]> {
  return page.$$eval('#state .reasons li', (nodes) => nodes.map((n) => n.textContent ?? ''));
}

beforeAll(async () => {
  findChromium(); // fail first, and by name, when no browser is installed
  buildOnce();
  collector = await startCollector();
  dataDir = mkdtempSync(join(tmpdir(), 'candor-renderer-'));
  handle = await startAgent(0);
  await handle.agent.api.reportError({ type: 'Error', message: SECRET_MESSAGE });
  browser = await launchChromium();
  ({ page } = await openPage('light'));
});

function startAgent(port: number): Promise<HeadlessHandle> {
  return startHeadless({
    dataDir,
    port,
    cwd: dataDir,
    env: {
      PATH: process.env['PATH'],
      HOME: dataDir,
      CANDOR__TELEMETRY__ENDPOINT: `${collector.url}/telemetry`,
      CANDOR__TELEMETRY__DELETION_ENDPOINT: `${collector.url}/deletion`,
      CANDOR__TELEMETRY__PRIVACY_CONTACT: 'privacy@example.org',
      CANDOR__TELEMETRY__FIRST_DELAY_S: '86400',
      CANDOR__SAMPLING__INTERVAL_S: '1',
      CANDOR__LOG__LEVEL: 'warn',
    },
  });
}

afterAll(async () => {
  await browser?.close();
  await handle?.close();
  await collector?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('preview page', () => {
  it('takes the token out of the address bar and sets no inline style', async () => {
    expect(page.url()).toBe(handle.url);
    expect(await page.locator('[style]').count()).toBe(0);
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toContain("default-src 'none'");
  });

  it('changing the details level changes the tree', async () => {
    await setLevel(0);
    expect(await topLevelKeys()).not.toContain('performance');
    expect(await topLevelKeys()).not.toContain('instance');
    expect(await topLevelKeys()).toContain('system');

    await setLevel(4);
    const { payload } = await handle.agent.api.preview({ details_level: 4, anonymize: true });
    expect(await topLevelKeys()).toEqual(Object.keys(payload));
    expect(await topLevelKeys()).toEqual(expect.arrayContaining(['performance', 'errors']));
  });

  it('marks every field the anonymizer changed, and shows the raw value only as a local "was"', async () => {
    await setMode('anonymized');
    await setLevel(4);
    await page.click('#expand-all');
    const { payload, changes } = await handle.agent.api.preview({ details_level: 4, anonymize: true });

    // Performance figures move between the page's build and this one; the rest is stable.
    const stable = changes.filter((c) => !c.path.startsWith('/performance/'));
    const shown = await shownPointers();
    for (const change of stable) expect([change.path, shown.get(change.path)]).toEqual([change.path, change.action]);
    const actions = new Set(stable.map((c) => c.action));
    for (const action of ['hashed', 'rounded', 'scrubbed'] as const) expect(actions).toContain(action);

    const message = changes.find((c: FieldChange) => /^\/errors\/captured\/\d+\/message$/.test(c.path) && c.raw === SECRET_MESSAGE);
    expect(message?.action).toBe('scrubbed');
    const path = message?.path ?? '';
    const index = Number(path.split('/')[3]);
    const sent = payload.errors?.captured[index]?.message ?? '';
    expect(sent).not.toContain('alice');

    const field = page.locator(row(path));
    expect(await field.locator('.value').textContent()).toBe(`"${sent}"`);
    expect(await field.locator('.badge').textContent()).toBe('scrubbed');
    expect(await field.locator('.was-value').isVisible()).toBe(false);
    await field.locator('.was summary').click();
    expect(await field.locator('.was-value').textContent()).toBe(`"${SECRET_MESSAGE}"`);
    expect(await field.locator('.was').textContent()).toContain('never sent');

    // Outside the "was" notes, nothing on the page shows the raw message.
    const withoutWas = await page.$eval('#payload', (node) => {
      const copy = node.cloneNode(true) as typeof node;
      for (const was of copy.querySelectorAll('.was')) was.remove();
      return copy.textContent ?? '';
    });
    expect(withoutWas).not.toContain('alice');
    expect(withoutWas).not.toContain('10.1.2.3');
  });

  it('the raw switch shows raw values, marked "never sent"', async () => {
    await setLevel(4);
    await setMode('raw');
    await page.click('#expand-all');
    expect(await page.isVisible('#raw-banner')).toBe(true);
    expect(await page.textContent('#raw-banner')).toContain('never sent');
    expect(await page.textContent('label.raw-choice')).toContain('never sent');
    expect(await page.textContent('#export')).toContain('never sent');

    const { payload } = await handle.agent.api.preview({ details_level: 4, anonymize: false });
    const index = payload.errors?.captured.findIndex((e) => e.message === SECRET_MESSAGE) ?? -1;
    expect(index).toBeGreaterThanOrEqual(0);
    expect(await page.textContent(`${row(`/errors/captured/${index}/message`)} .value`)).toBe(`"${SECRET_MESSAGE}"`);
    expect(await page.locator('#payload .was').count()).toBe(0);

    await setMode('anonymized');
    expect(await page.isVisible('#raw-banner')).toBe(false);
    expect(await page.textContent('#export')).not.toContain('never sent');
  });

  it('search filters the tree by key or by value', async () => {
    await setLevel(2);
    await page.fill('#search', 'node_version');
    expect(await page.locator(row('/app/node_version')).count()).toBe(1);
    expect(await page.locator(row('/system')).count()).toBe(0);

    await page.fill('#search', handle.agent.telemetryId);
    expect(await page.locator(row('/id')).count()).toBe(1);
    expect(await page.locator(row('/app')).count()).toBe(0);

    await page.fill('#search', 'no-such-field-anywhere');
    expect(await page.textContent('#payload .tree')).toContain('No field matches');

    await page.fill('#search', '');
    expect(await page.locator(row('/system')).count()).toBe(1);

    // "Only changed": every leaf left is one the anonymizer changed.
    await page.check('#only-changed');
    const leaves = await page.$$eval('#payload .tree-view > ul.tree li[data-pointer]:not(:has(> .row > .toggle))', (nodes) => nodes.map((n) => n.getAttribute('data-action')));
    expect(leaves.length).toBeGreaterThan(0);
    expect(leaves.every((action) => action !== null)).toBe(true);
    await page.uncheck('#only-changed');
  });

  it('tree branches open and close from the keyboard, with visible focus', async () => {
    await page.click('#collapse-all');
    await page.focus('#export');
    // Tab through the page until a tree branch has focus ("was" notes come first).
    let onToggle = false;
    for (let i = 0; i < 15 && !onToggle; i += 1) {
      await page.keyboard.press('Tab');
      onToggle = await page.evaluate('document.activeElement?.classList.contains("toggle") === true');
    }
    expect(onToggle).toBe(true);
    const pointer = (await page.evaluate('document.activeElement.closest("li").getAttribute("data-pointer")')) as string;
    const toggle = page.locator(`${row(pointer)} > .row > .toggle`);
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator(`${row(pointer)} > ul li`).count()).toBe(0);

    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator(`${row(pointer)} > ul > li`).count()).toBeGreaterThan(0);

    await page.keyboard.press('Space');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator(`${row(pointer)} > ul`).count()).toBe(0);
  });

  it('consent, pause and resume from the page change the agent state, with every reason shown', async () => {
    const before = await statusOverHttp();
    expect(before.consent).toBe('unset');
    expect(await shownReasons()).toEqual(before.reasons);

    await page.click('#state button:text-is("Grant consent")');
    await page.waitForSelector('#state button:text-is("Revoke consent")');
    expect((await statusOverHttp()).consent).toBe('granted');

    await page.click('#state button[data-pause="1h"]');
    await page.waitForSelector('#state button:text-is("Resume")');
    const paused = await statusOverHttp();
    expect(paused.paused_until).not.toBeNull();
    expect(paused.sending).toBe(false);
    expect(await shownReasons()).toEqual(paused.reasons);
    expect(await page.getAttribute('#state .headline', 'data-sending')).toBe('false');

    await page.click('#state button:text-is("Resume")');
    await page.waitForSelector('#state button[data-pause="30m"]');
    const resumed = await statusOverHttp();
    expect(resumed.paused_until).toBeNull();
    expect(resumed.sending).toBe(true);
    expect(await shownReasons()).toEqual(resumed.reasons);
  });

  it('follows state changes made elsewhere through the event stream', async () => {
    await handle.agent.api.disable({});
    await page.waitForSelector('#state button:text-is("Enable telemetry")');
    expect(await shownReasons()).toEqual((await handle.agent.api.status({})).reasons);
    await page.click('#state button:text-is("Enable telemetry")');
    await page.waitForSelector('#state button:text-is("Disable telemetry")');
    expect((await handle.agent.api.status({})).user_disabled).toBe(false);
  });

  it('lists a delivered report, opens its body, and sends a deletion request', async () => {
    expect(await page.textContent('#history')).toContain('Nothing has been sent yet');
    await handle.agent.sendNow();
    const delivered = collector.received.find((r) => r.path === '/telemetry');
    expect((delivered?.body as { id?: string } | undefined)?.id).toBe(handle.agent.telemetryId);

    await page.waitForSelector('#history tbody tr');
    expect(await page.textContent('#history tbody tr')).toContain(handle.agent.telemetryId);
    await page.click('#history tbody tr button:text-is("Open")');
    await page.waitForSelector('#history .history-body li[data-pointer="/id"]');
    expect(await page.textContent('#history .history-body li[data-pointer="/id"] .value')).toBe(`"${handle.agent.telemetryId}"`);

    const send = page.locator('#deletion button[data-action="send-deletion"]');
    await send.waitFor();
    const text = await page.inputValue('#deletion-text');
    expect(text).toContain(handle.agent.telemetryId);
    expect(text).toContain('privacy@example.org');
    await send.click();
    await page.locator('#deletion .delivery').filter({ hasText: /Sent|Queued/ }).waitFor();
    const deletion = collector.received.find((r) => r.path === '/deletion');
    expect((deletion?.body as { ids?: string[] } | undefined)?.ids).toContain(handle.agent.telemetryId);
  });

  it('export downloads the JSON the API builds at the same level', async () => {
    await setMode('anonymized');
    await setLevel(2);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const file = await download.path();
    const exported = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { payload } = await handle.agent.api.preview({ details_level: 2, anonymize: true });
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    expect(Object.keys(exported)).toEqual(Object.keys(payload));
    for (const key of ['schema_version', 'id', 'anonymized', 'details_level', 'app', 'system', 'instance'] as const) {
      expect([key, exported[key]]).toEqual([key, payload[key]]);
    }
    // Performance moves between two builds; its shape does not.
    expect(Object.keys(exported['performance'] as object)).toEqual(Object.keys(payload.performance ?? {}));
  });

  it('draws the sampled CPU and memory load as inline SVG', async () => {
    await page.waitForSelector('#charts svg.chart-cpu polyline', { timeout: 20_000 });
    expect(await page.locator('#charts svg.chart-mem').count()).toBe(1);
    expect(await page.getAttribute('#charts svg.chart-cpu', 'aria-label')).toMatch(/^CPU: (now|not reported)/);
    const points = (await page.getAttribute('#charts svg.chart-cpu polyline', 'points')) ?? '';
    expect(points.split(' ').length).toBeGreaterThanOrEqual(1);
    expect(await page.locator('canvas').count()).toBe(0);
  });

  it("the HTTP client passes the agent's error message on", async () => {
    const before = pageProblems.length;
    const message = await page.evaluate(`window.candor.historyBody({ sha256: 'not-hex' }).then(() => 'no error', (e) => e.message)`);
    expect(message).toContain('expected 64 lower-case hex characters');
    // Chromium logs the refused request itself; that one is expected.
    const logged = pageProblems.splice(before);
    expect(logged.every((line) => line.includes('status of 400'))).toBe(true);
  });

  it('keeps a screenshot of the page, light and dark', async () => {
    const { changes } = await handle.agent.api.preview({ details_level: 4, anonymize: true });
    const message = changes.find((c) => c.raw === SECRET_MESSAGE)?.path ?? '';
    const error = message.split('/').slice(0, 4).join('/');
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    mkdirSync(join(ROOT, 'docs'), { recursive: true });

    const backgrounds: unknown[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const shot = await openPage(scheme);
      await shot.page.check('input[name="level"][value="4"]');
      await shot.page.waitForSelector('#payload[data-level="4"][aria-busy="false"]');
      await shot.page.waitForSelector('#charts svg.chart-cpu polyline');
      await shot.page.click('#collapse-all');
      for (const pointer of ['/app', '/system', '/errors', '/errors/captured', error]) {
        await shot.page.click(`${row(pointer)} > .row > .toggle`);
      }
      await shot.page.click(`${row(message)} .was summary`);
      const file = join(ROOT, `test-results/${scheme === 'light' ? 'preview' : 'preview-dark'}.png`);
      await shot.page.screenshot({ path: file, fullPage: true });
      // The README's screenshot is refreshed on request, so a test run leaves git clean.
      if (scheme === 'light' && process.env['CANDOR_UPDATE_SCREENSHOT'] === '1') copyFileSync(file, join(ROOT, 'docs/preview.png'));
      backgrounds.push(await shot.page.evaluate('getComputedStyle(document.body).backgroundColor'));
      await shot.context.close();
    }
    expect(backgrounds[0]).not.toEqual(backgrounds[1]);
  });

  it('renders payload values as text, never as markup', async () => {
    const markup = '<img src=x onerror="document.title=1"><b>bold</b>';
    await handle.agent.api.reportError({ type: 'Error', message: markup });
    await setLevel(4);
    await setMode('raw');
    await page.fill('#search', 'onerror');
    const values = await page.$$eval('#payload .value', (nodes) => nodes.map((n) => n.textContent));
    expect(values).toContain(`"${markup}"`);
    expect(await page.locator('#payload img, #payload b').count()).toBe(0);
    await page.fill('#search', '');
    await setMode('anonymized');
  });

  it("says so when a restarted agent no longer accepts the page's token", async () => {
    const streams: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/events') streams.push(response.status());
    });
    const before = pageProblems.length;
    const port = handle.port;
    await handle.close(); // drops the open event stream
    handle = await startAgent(port); // same port, new token
    await page.locator('#error').filter({ hasText: 'refused this page' }).waitFor();
    // The dropped stream was reconnected, and the refusal ended the retries.
    expect(streams.at(-1)).toBe(401);
    // Chromium logs the dropped stream and the refused requests itself.
    expect(pageProblems.splice(before).filter((line) => !/status of 401|ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(line))).toEqual([]);
  });

  it('ran without page errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
