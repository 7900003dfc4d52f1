import { describe, expect, it } from 'vitest';
import type { Payload } from '../../main/report/payload-schema.js';
import { formatTime } from '../../renderer/time-format.js';
import { useHarness } from './harness.js';
import { postMetrics } from './otlp-post.js';

// The Apps panel in a real Chromium against a real headless agent and its real OTLP
// intake: an app that posts metrics is listed as waiting, with what it would send marked
// as not sent; Allow puts its data in the payload tree, Deny takes it out, and every
// change reaches the page through the agent's status push. The agent sends at level 3,
// so the apps' per-series detail (hashed labels) is in the report.

const APP = 'shop-api';
const JOBS = 1_234_567; // a big counter is rounded (6 significant digits) before it leaves
const ROUTE = '/checkout/alice';

const t = useHarness(undefined, { env: { CANDOR__TELEMETRY__DETAILS_LEVEL: '3' } });

const card = (name = APP): string => `#sources li[data-source="${name}"]`;
const pendingRow = (pointer: string, name = APP): string => `${card(name)} .pending-data li[data-pointer=${JSON.stringify(pointer)}]`;
const payloadRow = (pointer: string): string => `#payload li[data-pointer=${JSON.stringify(pointer)}]`;

async function intakePort(): Promise<number> {
  const { intake } = await t.handle.agent.api.sources({});
  if (intake.port === null) throw new Error(`the intake does not listen: ${intake.problem ?? ''}`);
  return intake.port;
}

/** Opens the branches of an app's pending tree down to `pointer` (top-level branches start open). */
async function openPending(pointer: string, name = APP): Promise<void> {
  const parts = pointer.split('/').slice(1);
  for (let i = 2; i <= parts.length; i += 1) {
    const toggle = t.page.locator(`${pendingRow(`/${parts.slice(0, i).join('/')}`, name)} > .row > .toggle`);
    if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  }
}

async function waitForPreview(): Promise<void> {
  await t.page.waitForSelector('#payload[aria-busy="false"]');
  await t.page.waitForSelector('#sources[aria-busy="false"]');
}

async function setMode(mode: 'raw' | 'anonymized'): Promise<void> {
  await t.page.check(`input[name="mode"][value="${mode}"]`);
  await t.page.waitForSelector(`#payload[data-mode="${mode}"][aria-busy="false"]`);
  await t.page.waitForSelector('#sources[aria-busy="false"]');
}

describe('the Apps panel', () => {
  it('says where apps report, and that none has yet', async () => {
    await waitForPreview();
    expect(await t.page.textContent('#sources .sources-summary')).toBe('No app reports through Candor yet.');
    expect(await t.page.textContent('#sources .intake-line')).toContain(`http://127.0.0.1:${await intakePort()}`);
    expect(await t.page.isHidden('#sources-waiting')).toBe(true);
  });

  it('lists an app that posts metrics as waiting, with what it would send marked as not sent', async () => {
    expect(await postMetrics(await intakePort(), APP, '2.4.1', { jobs: JOBS, route: ROUTE, durations: [3, 12, 40] })).toBe(200);
    await t.page.waitForSelector(`${card()}[data-state="pending"]`);
    await waitForPreview();
    expect(await t.page.textContent(`${card()} .source-state`)).toBe('waiting for your answer');
    expect(await t.page.textContent('#sources .sources-summary')).toBe('1 app is waiting for your answer.');
    expect(await t.page.textContent('#sources-waiting a')).toBe('1 app is waiting for your answer.');
    expect(await t.page.textContent(`${card()} .pending-banner`)).toContain('Waiting for your answer: nothing of it is sent.');

    // Its would-be data, anonymized as it would leave, each change marked with its raw value shown only here.
    const { pending } = await t.handle.agent.api.preview({ details_level: 3, anonymize: true });
    const wouldSend = pending.sources.find((s) => s.name === APP);
    const sentJobs = wouldSend?.counters['jobs.done'];
    expect(sentJobs).toBe(1_234_560);
    expect(await t.page.textContent(`${pendingRow('/counters/jobs.done')} .value`)).toBe(String(sentJobs));
    expect(await t.page.textContent(`${pendingRow('/counters/jobs.done')} .badge`)).toBe('rounded');
    expect(await t.page.textContent(`${pendingRow('/counters/jobs.done')} .was-value`)).toBe(String(JOBS));
    const index = wouldSend?.detail?.findIndex((d) => d.name === 'jobs.done') ?? -1;
    const hashed = wouldSend?.detail?.[index]?.hashed_labels['route'] ?? '';
    await openPending(`/detail/${index}/hashed_labels`);
    const route = pendingRow(`/detail/${index}/hashed_labels/route`);
    expect(await t.page.textContent(`${route} .value`)).toBe(`"${hashed}"`);
    expect(await t.page.textContent(`${route} .badge`)).toBe('hashed');
    expect(await t.page.textContent(`${route} .was-value`)).toBe(`"${ROUTE}"`);
    await openPending('/timers/checkout.duration');
    expect(await t.page.textContent(`${pendingRow('/timers/checkout.duration/count')} .value`)).toBe('3');

    // None of it is in the payload tree, and none of it leaves.
    expect(await t.page.locator(payloadRow('/sources/0')).count()).toBe(0);
    expect(await t.page.textContent('#payload')).not.toContain(APP);
    await t.handle.agent.api.setConsent({ granted: true });
    await t.handle.agent.sendNow();
    const delivered = t.collector.received.filter((r) => r.path === '/telemetry').at(-1)?.body as Payload | undefined;
    expect(delivered?.details_level).toBe(3);
    expect(delivered?.sources ?? []).toEqual([]);
    expect(JSON.stringify(delivered)).not.toContain(APP);
  });

  it('offers Allow and Deny, named for the app and alike, so neither is the nudged one', async () => {
    const allow = t.page.locator(`${card()} button[data-answer="allowed"]`);
    const deny = t.page.locator(`${card()} button[data-answer="denied"]`);
    expect(await t.page.getByRole('button', { name: `Allow ${APP}`, exact: true }).count()).toBe(1);
    expect(await t.page.getByRole('button', { name: `Deny ${APP}`, exact: true }).count()).toBe(1);
    expect(await t.page.getByRole('group', { name: `Your answer for ${APP}` }).count()).toBe(1);
    expect(await allow.isEnabled()).toBe(true);
    expect(await deny.isEnabled()).toBe(true);
    const look = (selector: string): Promise<unknown> =>
      t.page.evaluate(`(() => {
        const s = getComputedStyle(document.querySelector(${JSON.stringify(selector)}));
        return [s.backgroundColor, s.color, s.borderColor, s.fontWeight].join();
      })()`);
    expect(await look(`${card()} button[data-answer="allowed"]`)).toBe(await look(`${card()} button[data-answer="denied"]`));
  });

  it('the raw-against-sent view works for a waiting app', async () => {
    await setMode('raw');
    expect(await t.page.textContent(`${card()} .pending-banner`)).toContain('(raw values, never sent)');
    expect(await t.page.textContent(`${pendingRow('/counters/jobs.done')} .value`)).toBe(String(JOBS));
    // Raw values carry what sending would do to them.
    expect(await t.page.textContent(`${pendingRow('/counters/jobs.done')} .badge`)).toBe('rounded');
    // The branches opened before stay open across the redraw.
    const route = `${card()} .pending-data li[data-pointer$="/hashed_labels/route"]`;
    expect(await t.page.textContent(`${route} .value`)).toBe(`"${ROUTE}"`);
    expect(await t.page.getAttribute(`${route} .badge`, 'title')).toMatch(/^Raw value\. Before sending: hashed/);
    expect(await t.page.locator(`${card()} .was`).count()).toBe(0);
    await setMode('anonymized');
    expect(await t.page.textContent(`${card()} .pending-banner`)).not.toContain('raw values');
  });

  it('Allow, from the keyboard: the push makes it allowed and its data appears in the payload tree', async () => {
    await t.page.focus(`${card()} button[data-answer="allowed"]`);
    await t.page.keyboard.press('Enter');
    await t.page.waitForSelector(`${card()}[data-state="allowed"]`);
    await waitForPreview();
    const { sources } = await t.handle.agent.api.sources({});
    const info = sources.find((s) => s.name === APP);
    expect(info).toMatchObject({ state: 'allowed', answered_by: 'person' });
    await t.page.locator(`${card()} .source-answer`).filter({ hasText: 'Allowed by you on' }).waitFor();
    expect(await t.page.textContent(`${card()} .source-answer`)).toBe(`Allowed by you on ${formatTime(info?.answered_at ?? '')}.`);
    expect(await t.page.isHidden('#sources-waiting')).toBe(true);
    expect(await t.page.textContent('#sources .sources-summary')).toBe('Every app has an answer.');
    // Keyboard focus stays with the app: Allow is now the answer given, Deny takes the focus.
    expect(await t.page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe(`Deny ${APP}`);
    expect(await t.page.locator(`${card()} button[data-answer="allowed"]`).isDisabled()).toBe(true);

    // Its data is in the payload tree now, as it would leave; nothing of it waits any more.
    expect(await t.page.locator(`${card()} .pending-data`).count()).toBe(0);
    await t.page.click('#expand-all');
    expect(await t.page.textContent(`${payloadRow('/sources/0/name')} .value`)).toBe(`"${APP}"`);
    expect(await t.page.textContent(`${payloadRow('/sources/0/counters/jobs.done')} .value`)).toBe('1234560');
    expect(await t.page.textContent(`${payloadRow('/sources/0/counters/jobs.done')} .badge`)).toBe('rounded');
    expect(await t.page.textContent(`${card()} .source-note, ${card()} .button-row span`)).toContain('under sources › 0');

    // "Show in the payload" opens and focuses it there.
    await t.page.click('#collapse-all');
    await t.page.click(`${card()} button:text-is("Show in the payload")`);
    expect(await t.page.evaluate('document.activeElement?.closest("li")?.getAttribute("data-pointer")')).toBe('/sources/0');
    expect(await t.page.locator(`${payloadRow('/sources/0')} > .row > .toggle`).getAttribute('aria-expanded')).toBe('true');

    // And it leaves with the next report.
    await t.handle.agent.sendNow();
    const delivered = t.collector.received.filter((r) => r.path === '/telemetry').at(-1)?.body as Payload | undefined;
    expect(delivered?.sources?.map((s) => [s.name, s.counters['jobs.done']])).toEqual([[APP, 1_234_560]]);
  });

  it('Deny: the push makes it denied and its data leaves the payload tree', async () => {
    await t.page.click(`${card()} button[data-answer="denied"]`);
    await t.page.waitForSelector(`${card()}[data-state="denied"]`);
    await waitForPreview();
    expect(await t.page.textContent(`${card()} .source-state`)).toBe('denied');
    expect(await t.page.textContent(`${card()} .source-note`)).toBe('Its data is dropped as it arrives: none of it is kept or sent.');
    expect(await t.page.locator(payloadRow('/sources/0')).count()).toBe(0);
    expect(await t.page.textContent('#payload')).not.toContain(APP);
    expect((await t.handle.agent.api.sources({})).sources.find((s) => s.name === APP)?.state).toBe('denied');

    // What it sends now is dropped at the intake, and the panel counts it as such.
    expect(await postMetrics(await intakePort(), APP, '2.4.1', { jobs: 5, route: ROUTE, durations: [1] })).toBe(200);
    await t.page.click('#refresh');
    await t.page.locator(`${card()} .source-received`).filter({ hasText: 'all dropped' }).waitFor();
  });

  it('follows answers given elsewhere (the tray, the CLI) and new apps, through the push', async () => {
    await t.handle.agent.api.answerSource({ name: APP, answer: 'allowed' });
    await t.page.waitForSelector(`${card()}[data-state="allowed"]`);
    await waitForPreview();
    expect(await t.page.textContent(`${payloadRow('/sources/0/name')} .value`)).toBe(`"${APP}"`);

    expect(await postMetrics(await intakePort(), 'billing', '1.0.0', { jobs: 2, route: '/pay', durations: [9] })).toBe(200);
    await t.page.waitForSelector(`${card('billing')}[data-state="pending"]`);
    await waitForPreview();
    expect(await t.page.textContent('#sources-waiting')).toBe('1 app is waiting for your answer.');
    expect(await t.page.textContent(`${pendingRow('/counters/jobs.done', 'billing')} .value`)).toBe('2');
    // The allowed app stays in the payload; the waiting one is not in it.
    const names = await t.page.$$eval('#payload li[data-pointer^="/sources/"]', (nodes) =>
      nodes
        .filter((n) => /^\/sources\/\d+\/name$/.test(n.getAttribute('data-pointer') ?? ''))
        .map((n) => n.querySelector('.value')?.textContent),
    );
    expect(names).toEqual([`"${APP}"`]);
  });

  it('a level below 2 says that its reports carry no app data', async () => {
    await t.page.check('input[name="level"][value="1"]');
    await t.page.waitForSelector('#payload[data-level="1"][aria-busy="false"]');
    await t.page.waitForSelector('#sources[aria-busy="false"]');
    expect(await t.page.textContent(`${card('billing')} .source-note`)).toBe(
      "Reports carry apps' data from level 2: the level 1 report shown holds nothing of it.",
    );
    expect(await t.page.locator('#sources .pending-data').count()).toBe(0);
    await t.page.check('input[name="level"][value="3"]');
    await t.page.waitForSelector('#payload[data-level="3"][aria-busy="false"]');
  });

  it('the waiting notice leads to the panel; the tray opens the page at #sources', async () => {
    await t.page.click('#sources-waiting a');
    expect(await t.page.evaluate('document.activeElement?.id')).toBe('sources-title');
    await t.page.goto(`${t.handle.url}#sources`);
    await t.page.waitForSelector(`${card('billing')}[data-state="pending"]`);
    expect(await t.page.evaluate('document.activeElement?.id')).toBe('sources');
  });

  it('light and dark: state labels readable, no inline style', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const shot = await t.openPage(scheme);
      await shot.page.waitForSelector(`${card('billing')}[data-state="pending"] .pending-data`);
      expect(await shot.page.locator('[style]').count()).toBe(0);
      const ratios = (await shot.page.evaluate(`(() => {
        const lum = (c) => {
          const [r, g, b] = c.match(/[\\d.]+/g).map(Number).map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
        const panel = getComputedStyle(document.querySelector('#sources').closest('.panel')).backgroundColor;
        const box = getComputedStyle(document.querySelector('.pending-data')).backgroundColor;
        return [
          ...[...document.querySelectorAll('#sources .source-state')].map((n) => ratio(getComputedStyle(n).color, panel)),
          ratio(getComputedStyle(document.querySelector('.pending-banner')).color, box),
          ratio(getComputedStyle(document.querySelector('#sources-waiting a')).color, getComputedStyle(document.body).backgroundColor),
        ];
      })()`)) as number[];
      for (const ratio of ratios) expect(ratio, scheme).toBeGreaterThanOrEqual(4.5);
      await shot.page.screenshot({ path: `test-results/sources-${scheme}.png`, fullPage: true });
      await shot.context.close();
    }
  });

  it('ran without page errors or CSP violations', () => {
    expect(t.problems.join('\n')).toBe('');
  });
});
