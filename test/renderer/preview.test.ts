import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FieldChange } from '../../main/api.js';
import { useHarness } from './harness.js';
import { contrast } from './page-checks.js';

// The preview page in a real Chromium against a real headless agent (its loopback API,
// its event stream, its static files), delivering to a real collector on 127.0.0.1.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET_MESSAGE = 'failed at /home/alice/x with 10.1.2.3';

const t = useHarness(async (h) => {
  await h.handle.agent.api.reportError({ type: 'Error', message: SECRET_MESSAGE });
});

const row = (pointer: string): string => `#payload li[data-pointer=${JSON.stringify(pointer)}]`;

async function setLevel(level: number): Promise<void> {
  await t.page.check(`input[name="level"][value="${level}"]`);
  await t.page.waitForSelector(`#payload[data-level="${level}"][aria-busy="false"]`);
}

async function setMode(mode: 'raw' | 'anonymized'): Promise<void> {
  await t.page.check(`input[name="mode"][value="${mode}"]`);
  await t.page.waitForSelector(`#payload[data-mode="${mode}"][aria-busy="false"]`);
}

/** pointer -> anonymizer action ('' when unchanged) of every node the page shows. */
async function shownPointers(): Promise<Map<string, string>> {
  const pairs = await t.page.$$eval('#payload [data-pointer]', (nodes) =>
    nodes.map((n) => [n.getAttribute('data-pointer') ?? '', n.getAttribute('data-action') ?? '']),
  );
  return new Map(pairs as [string, string][]);
}

async function topLevelKeys(): Promise<string[]> {
  return t.page.$$eval('#payload .tree-view > ul.tree > li[data-pointer]', (nodes) =>
    nodes.map((n) => (n.getAttribute('data-pointer') ?? '').slice(1)),
  );
}

async function shownReasons(): Promise<string[]> {
  return t.page.$$eval('#state .reasons li', (nodes) => nodes.map((n) => n.textContent ?? ''));
}

describe('preview page', () => {
  it('takes the token out of the address bar and sets no inline style', async () => {
    expect(t.page.url()).toBe(t.handle.url);
    expect(await t.page.locator('[style]').count()).toBe(0);
    const csp = await t.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toContain("default-src 'none'");
  });

  it('changing the details level changes the tree', async () => {
    await setLevel(0);
    expect(await topLevelKeys()).not.toContain('performance');
    expect(await topLevelKeys()).not.toContain('instance');
    expect(await topLevelKeys()).toContain('system');

    await setLevel(4);
    const { payload } = await t.handle.agent.api.preview({ details_level: 4, anonymize: true });
    expect(await topLevelKeys()).toEqual(Object.keys(payload));
    expect(await topLevelKeys()).toEqual(expect.arrayContaining(['performance', 'errors']));
  });

  it('marks every field the anonymizer changed, and shows the raw value only as a local "was"', async () => {
    await setMode('anonymized');
    await setLevel(4);
    await t.page.click('#expand-all');
    const { payload, changes } = await t.handle.agent.api.preview({ details_level: 4, anonymize: true });

    // Performance figures move between the page's build and this one; the rest is stable.
    const stable = changes.filter((c) => !c.path.startsWith('/performance/'));
    const shown = await shownPointers();
    for (const change of stable) expect([change.path, shown.get(change.path)]).toEqual([change.path, change.action]);
    const actions = new Set(stable.map((c) => c.action));
    for (const action of ['rounded', 'categorized', 'templated', 'dropped'] as const) expect(actions).toContain(action);

    const message = changes.find((c: FieldChange) => /^\/errors\/captured\/\d+\/message$/.test(c.path) && c.raw === SECRET_MESSAGE);
    expect(message?.action).toBe('templated');
    const path = message?.path ?? '';
    const index = Number(path.split('/')[3]);
    const sent = payload.errors?.captured[index]?.message ?? '';
    expect(sent).not.toContain('alice');

    const field = t.page.locator(row(path));
    expect(await field.locator('.value').textContent()).toBe(`"${sent}"`);
    expect(await field.locator('.badge').textContent()).toBe('templated');
    expect(await field.locator('.was-value').isVisible()).toBe(false);
    await field.locator('.was summary').click();
    expect(await field.locator('.was-value').textContent()).toBe(`"${SECRET_MESSAGE}"`);
    expect(await field.locator('.was').textContent()).toContain('never sent');
    expect(await field.locator('.was summary').getAttribute('aria-label')).toBe(
      'was: value of message before anonymizing (shown only here)',
    );

    // What each action means is written in the legend, not only in a tooltip.
    const legend = t.page.locator('#payload .legend');
    expect(await legend.locator('dt').allTextContents()).toEqual(expect.arrayContaining(['rounded', 'templated', 'categorized']));
    expect(await legend.locator('dt:has-text("templated") + dd').textContent()).toContain('typed placeholder');
    expect(await legend.locator('dt:has-text("categorized") + dd').textContent()).toContain('fixed list');

    // Outside the "was" notes, nothing on the page shows the raw message.
    const withoutWas = await t.page.$eval('#payload', (node) => {
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
    await t.page.click('#expand-all');
    expect(await t.page.isVisible('#raw-banner')).toBe(true);
    expect(await t.page.textContent('#raw-banner')).toContain('never sent');
    expect(await t.page.textContent('label.raw-choice')).toContain('never sent');
    expect(await t.page.textContent('#export')).toContain('never sent');

    const { payload } = await t.handle.agent.api.preview({ details_level: 4, anonymize: false });
    const index = payload.errors?.captured.findIndex((e) => e.message === SECRET_MESSAGE) ?? -1;
    expect(index).toBeGreaterThanOrEqual(0);
    expect(await t.page.textContent(`${row(`/errors/captured/${index}/message`)} .value`)).toBe(`"${SECRET_MESSAGE}"`);
    expect(await t.page.locator('#payload .was').count()).toBe(0);

    await setMode('anonymized');
    expect(await t.page.isVisible('#raw-banner')).toBe(false);
    expect(await t.page.textContent('#export')).not.toContain('never sent');
  });

  it('search filters the tree by key or by value', async () => {
    await setLevel(2);
    await t.page.fill('#search', 'node_version');
    expect(await t.page.locator(row('/app/node_version')).count()).toBe(1);
    expect(await t.page.locator(row('/system')).count()).toBe(0);

    await t.page.fill('#search', t.handle.agent.telemetryId);
    expect(await t.page.locator(row('/id')).count()).toBe(1);
    expect(await t.page.locator(row('/app')).count()).toBe(0);

    await t.page.fill('#search', 'no-such-field-anywhere');
    expect(await t.page.textContent('#payload .tree')).toContain('No field matches');

    await t.page.fill('#search', '');
    expect(await t.page.locator(row('/system')).count()).toBe(1);

    // "Only changed": every leaf left is one the anonymizer changed.
    await t.page.check('#only-changed');
    const leaves = await t.page.$$eval('#payload .tree-view > ul.tree li[data-pointer]:not(:has(> .row > .toggle))', (nodes) =>
      nodes.map((n) => n.getAttribute('data-action')),
    );
    expect(leaves.length).toBeGreaterThan(0);
    expect(leaves.every((action) => action !== null)).toBe(true);
    await t.page.uncheck('#only-changed');
  });

  it('tree branches open and close from the keyboard, with visible focus', async () => {
    await t.page.click('#collapse-all');
    await t.page.focus('#export');
    // Tab through the page until a tree branch has focus ("was" notes come first).
    let onToggle = false;
    for (let i = 0; i < 15 && !onToggle; i += 1) {
      await t.page.keyboard.press('Tab');
      onToggle = await t.page.evaluate('document.activeElement?.classList.contains("toggle") === true');
    }
    expect(onToggle).toBe(true);
    const pointer = (await t.page.evaluate('document.activeElement.closest("li").getAttribute("data-pointer")')) as string;
    const toggle = t.page.locator(`${row(pointer)} > .row > .toggle`);
    expect(await t.page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await t.page.locator(`${row(pointer)} > ul li`).count()).toBe(0);

    await t.page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await t.page.locator(`${row(pointer)} > ul > li`).count()).toBeGreaterThan(0);

    await t.page.keyboard.press('Space');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await t.page.locator(`${row(pointer)} > ul`).count()).toBe(0);
  });

  it('consent, pause and resume from the page change the agent state, with every reason shown', async () => {
    const before = await t.statusOverHttp();
    expect(before.consent).toBe('unset');
    expect(await shownReasons()).toEqual(before.reasons);
    // Sending is off without consent, so there is nothing to pause.
    expect(before.sending).toBe(false);
    expect(await t.page.locator('#state button[data-pause]').count()).toBe(0);

    // The prompt says what would be agreed to, from the agent's own settings.
    const terms = (await t.page.textContent('#state .consent-terms')) ?? '';
    expect(terms).toContain(`an anonymized report at details level ${before.details_level} (`);
    expect(terms).toContain(`every hour to ${before.endpoint_host ?? 'no host'}.`);
    expect(await t.page.getAttribute('#state .consent-terms a', 'href')).toBe('#payload-title');
    // Grant and Decline carry the same weight.
    const look = (name: string): Promise<unknown> =>
      t.page.evaluate(`(() => {
        const s = getComputedStyle([...document.querySelectorAll('#state button')].find((b) => b.textContent === ${JSON.stringify(name)}));
        return [s.backgroundColor, s.color, s.borderColor, s.fontWeight].join();
      })()`);
    expect(await look('Grant consent')).toBe(await look('Decline'));

    await t.page.click('#state button:text-is("Grant consent")');
    await t.page.waitForSelector('#state button:text-is("Revoke consent")');
    expect((await t.statusOverHttp()).consent).toBe('granted');
    expect(await t.page.locator('#state .consent-terms').count()).toBe(0);

    await t.page.click('#state button[data-pause="1h"]');
    await t.page.waitForSelector('#state button:text-is("Resume")');
    const paused = await t.statusOverHttp();
    expect(paused.paused_until).not.toBeNull();
    expect(paused.sending).toBe(false);
    // Every reason is shown; the pause's in the page's own time format (test/renderer/page-truth.test.ts).
    const notPause = (reasons: string[]): string[] => reasons.filter((reason) => !reason.startsWith('paused'));
    const shown = await shownReasons();
    expect(notPause(shown)).toEqual(notPause(paused.reasons));
    expect(shown.filter((reason) => reason.startsWith('paused until '))).toHaveLength(1);
    expect(await t.page.getAttribute('#state .headline', 'data-sending')).toBe('false');

    await t.page.click('#state button:text-is("Resume")');
    await t.page.waitForSelector('#state button[data-pause="30m"]');
    const resumed = await t.statusOverHttp();
    expect(resumed.paused_until).toBeNull();
    expect(resumed.sending).toBe(true);
    expect(await shownReasons()).toEqual(resumed.reasons);
  });

  it('follows state changes made elsewhere through the event stream', async () => {
    await t.handle.agent.api.disable({});
    await t.page.waitForSelector('#state button:text-is("Enable telemetry")');
    expect(await shownReasons()).toEqual((await t.handle.agent.api.status({})).reasons);
    expect(await t.page.locator('#state button[data-pause]').count()).toBe(0);
    await t.page.click('#state button:text-is("Enable telemetry")');
    await t.page.waitForSelector('#state button:text-is("Disable telemetry")');
    expect((await t.handle.agent.api.status({})).user_disabled).toBe(false);
  });

  it('lists a delivered report and opens its body as it was sent, keeping focus in place', async () => {
    expect(await t.page.textContent('#history')).toContain('Nothing has been sent yet');
    await t.handle.agent.sendNow();
    const delivered = t.collector.received.find((r) => r.path === '/telemetry');
    expect((delivered?.body as { id?: string } | undefined)?.id).toBe(t.handle.agent.telemetryId);

    await t.page.waitForSelector('#history tbody tr');
    expect(await t.page.textContent('#history tbody tr')).toContain(t.handle.agent.telemetryId);
    await t.page.click('#history tbody tr button:text-is("Open")');
    await t.page.waitForSelector('#history .history-body li[data-pointer="/id"]');
    expect(await t.page.textContent('#history .history-body li[data-pointer="/id"] .value')).toBe(`"${t.handle.agent.telemetryId}"`);
    // A delivered body has no change legend: it is exactly what was sent.
    expect(await t.page.textContent('#history .history-body .legend')).toBe('Exactly as it was sent.');
    expect(await t.page.locator('#history [aria-live]').count()).toBe(0);
    expect(await t.page.evaluate('document.activeElement?.matches(".history-body h3")')).toBe(true);

    // The table is rebuilt while the body is open (a delivery state change refreshes it).
    const oldOpener = await t.page.$('#history tbody tr button:text-is("Open")');
    await t.handle.agent.api.disable({});
    await t.handle.agent.api.enable({});
    await t.page.waitForFunction((old) => old?.isConnected === false, oldOpener);
    await t.page.click('#history .history-body button:text-is("Close")');
    expect(await t.page.evaluate('document.activeElement?.isConnected && document.activeElement.getAttribute("aria-label")')).toMatch(
      /^Open the report sent /,
    );
  });

  it('sends one deletion request however often the button is clicked', async () => {
    const send = t.page.locator('#deletion button[data-action="send-deletion"]');
    await send.waitFor();
    const text = await t.page.inputValue('#deletion-text');
    expect(text).toContain(t.handle.agent.telemetryId);
    expect(text).toContain('privacy@example.org');
    await send.dblclick();
    await t.page
      .locator('#deletion .delivery')
      .filter({ hasText: /Sent|Queued/ })
      .waitFor();
    expect(await send.count()).toBe(0);
    const deletions = t.collector.received.filter((r) => r.path === '/deletion');
    expect(deletions).toHaveLength(1);
    expect((deletions[0]?.body as { ids?: string[] } | undefined)?.ids).toContain(t.handle.agent.telemetryId);

    // A refresh of the panel (it rebuilds the text box) does not offer to send the same ids again.
    const oldText = await t.page.$('#deletion-text');
    await t.handle.agent.api.disable({});
    await t.handle.agent.api.enable({});
    await t.page.waitForFunction((old) => old?.isConnected === false, oldText);
    expect(await t.page.textContent('#deletion .delivery')).toMatch(/Sent|Queued/);
    expect(await t.page.locator('#deletion button[data-action="send-deletion"]').count()).toBe(0);
    expect(t.collector.received.filter((r) => r.path === '/deletion')).toHaveLength(1);
  });

  it('export downloads the JSON the API builds at the same level', async () => {
    await setMode('anonymized');
    await setLevel(2);
    const [download] = await Promise.all([t.page.waitForEvent('download'), t.page.click('#export')]);
    const file = await download.path();
    const exported = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { payload } = await t.handle.agent.api.preview({ details_level: 2, anonymize: true });
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    expect(Object.keys(exported)).toEqual(Object.keys(payload));
    for (const key of ['schema_version', 'id', 'anonymized', 'details_level', 'app', 'system', 'instance'] as const) {
      expect([key, exported[key]]).toEqual([key, payload[key]]);
    }
    // Performance moves between two builds; its shape does not.
    expect(Object.keys(exported['performance'] as object)).toEqual(Object.keys(payload.performance ?? {}));
  });

  it('draws the sampled CPU and memory load as inline SVG', async () => {
    // Attached, not visible: a load flat at 0% or 100% draws a line with no height.
    await t.page.waitForSelector('#charts svg.chart-cpu polyline', { state: 'attached', timeout: 20_000 });
    expect(await t.page.locator('#charts svg.chart-mem').count()).toBe(1);
    expect(await t.page.getAttribute('#charts svg.chart-cpu', 'aria-label')).toMatch(/^CPU: (now|not reported)/);
    const points = (await t.page.getAttribute('#charts svg.chart-cpu polyline', 'points')) ?? '';
    expect(points.split(' ').length).toBeGreaterThanOrEqual(1);
    expect(await t.page.locator('canvas').count()).toBe(0);
  });

  it("the HTTP client passes the agent's error message on", async () => {
    const before = t.problems.length;
    const message = await t.page.evaluate(`window.candor.historyBody({ sha256: 'not-hex' }).then(() => 'no error', (e) => e.message)`);
    expect(message).toContain('expected 64 lower-case hex characters');
    // Chromium logs the refused request itself; that one is expected.
    const logged = t.problems.splice(before);
    expect(logged.every((line) => line.includes('status of 400'))).toBe(true);
  });

  it('keeps a screenshot of the page, light and dark', async () => {
    const { changes } = await t.handle.agent.api.preview({ details_level: 4, anonymize: true });
    const message = changes.find((c) => c.raw === SECRET_MESSAGE)?.path ?? '';
    const error = message.split('/').slice(0, 4).join('/');
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    mkdirSync(join(ROOT, 'docs'), { recursive: true });

    const backgrounds: unknown[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      const shot = await t.openPage(scheme);
      await shot.page.check('input[name="level"][value="4"]');
      await shot.page.waitForSelector('#payload[data-level="4"][aria-busy="false"]');
      await shot.page.waitForSelector('#charts svg.chart-cpu polyline', { state: 'attached' });
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
      // Control borders stand out from the panel and the page by 3:1 (WCAG 1.4.11).
      const colors = (await shot.page.evaluate(`['#search', '#refresh', '#deletion-text', '.panel', 'body'].map((s) => {
        const style = getComputedStyle(document.querySelector(s));
        return s.startsWith('#') ? style.borderTopColor : style.backgroundColor;
      })`)) as string[];
      const [panel, page] = colors.slice(3);
      for (const [i, border] of colors.slice(0, 3).entries()) {
        expect(contrast(border, panel ?? ''), `${scheme}: border ${i} on the panel`).toBeGreaterThanOrEqual(3);
        expect(contrast(border, page ?? ''), `${scheme}: border ${i} on the page`).toBeGreaterThanOrEqual(3);
      }
      await shot.context.close();
    }
    expect(backgrounds[0]).not.toEqual(backgrounds[1]);
  });

  it('renders payload values as text, never as markup', async () => {
    const markup = '<img src=x onerror="document.title=1"><b>bold</b>';
    await t.handle.agent.api.reportError({ type: 'Error', message: markup });
    await setLevel(4);
    await setMode('raw');
    await t.page.fill('#search', 'onerror');
    const values = await t.page.$$eval('#payload .value', (nodes) => nodes.map((n) => n.textContent));
    expect(values).toContain(`"${markup}"`);
    expect(await t.page.locator('#payload img, #payload b').count()).toBe(0);
    await t.page.fill('#search', '');
    await setMode('anonymized');
  });

  it("says so when a restarted agent no longer accepts the page's token", async () => {
    const streams: number[] = [];
    t.page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/events') streams.push(response.status());
    });
    const before = t.problems.length;
    await t.handle.close(); // drops the open event stream
    // While nothing answers, a call says which agent it could not reach.
    const unreachable = await t.page.evaluate(`window.candor.status({}).then(() => 'answered', (e) => e.message)`);
    expect(unreachable).toBe(`status: cannot reach the Candor agent at ${new URL(t.handle.url).origin}`);
    await t.restartAgent(); // same port, new token
    await t.page.locator('#error').filter({ hasText: 'refused this page' }).waitFor();
    // The refusal, whether a call or the reconnecting stream met it first, ended the retries.
    const streamsAtRefusal = streams.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(streams.length).toBe(streamsAtRefusal);
    // The controls no longer take clicks that could only be ignored; the message stays.
    expect(await t.page.evaluate('document.querySelector("main").inert')).toBe(true);
    await t.page.keyboard.press('Tab');
    expect(await t.page.evaluate('document.querySelector("main").contains(document.activeElement)')).toBe(false);
    expect(await t.page.textContent('#error')).toContain('refused this page');
    // Chromium logs the dropped stream and the refused requests itself.
    expect(
      t.problems.splice(before).filter((line) => !/status of 401|ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(line)),
    ).toEqual([]);
  });

  it('ran without page errors or CSP violations', () => {
    expect(t.problems.join('\n')).toBe('');
  });
});
