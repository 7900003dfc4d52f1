import { describe, expect, it } from 'vitest';
import { openSettingsStore } from '../../main/control/settings-store.js';
import { useHarness } from './harness.js';
import { HONOLULU, honolulu } from './page-checks.js';

// What the page says is what the agent does, now: the level it sends, a pause that has
// ended, one time format in the person's locale, and a token that survives a reload.
// The agent sends at level 3 here, which is neither the old default of the picker (2)
// nor the highest level, so the page can only show it by asking the agent.

const t = useHarness(undefined, { env: { CANDOR__TELEMETRY__DETAILS_LEVEL: '3' }, ...HONOLULU });

const shownReasons = (): Promise<string[]> => t.page.$$eval('#state .reasons li', (nodes) => nodes.map((n) => n.textContent ?? ''));
const fact = (name: string): Promise<string | null> => t.page.textContent(`#state .facts dt:text-is("${name}") + dd`);

/** Writes settings as another process (`candor pause` without a running agent) would; the agent picks them up. */
function writeSettings(change: { pausedUntil: string; consentAt?: string }): void {
  const store = openSettingsStore({ dataDir: t.dataDir, watch: false });
  try {
    store.update((s) => ({
      ...s,
      paused_until: change.pausedUntil,
      consent: change.consentAt === undefined ? s.consent : { state: 'granted', at: change.consentAt },
    }));
  } finally {
    store.close();
  }
}

describe('the page tells the truth', () => {
  it('shows the level that is sent by default, says so, and calls any other level a preview', async () => {
    const sent = (await t.statusOverHttp()).details_level;
    expect(sent).toBe(3);
    await t.page.waitForSelector(`#payload[data-level="${sent}"][aria-busy="false"]`);
    expect(await t.page.getAttribute('input[name="level"]:checked', 'value')).toBe(String(sent));
    expect(await t.page.textContent(`label:has(input[name="level"][value="${sent}"])`)).toContain('(sent)');
    expect(await t.page.locator('label:has-text("(sent)")').count()).toBe(1);
    expect(await t.page.textContent('#level-note')).toBe('Level 3 is the level this agent sends: this is the report it would send now.');

    await t.page.check('input[name="level"][value="1"]');
    await t.page.waitForSelector('#payload[data-level="1"][aria-busy="false"]');
    expect(await t.page.textContent('#level-note')).toBe('Preview only: reports are sent at level 3, not at the level 1 shown here.');

    // The consent terms name the level sent; their link shows that report in the tree.
    const link = t.page.locator('#state .consent-terms a');
    expect(await link.textContent()).toContain(`(level ${sent})`);
    await link.click();
    await t.page.waitForSelector(`#payload[data-level="${sent}"][aria-busy="false"]`);
    expect(await t.page.getAttribute('input[name="level"]:checked', 'value')).toBe(String(sent));
    expect(await t.page.textContent('#level-note')).toContain('is the level this agent sends');
  });

  it('keeps the token across a reload, in this tab only, never in the address or localStorage', async () => {
    await t.handle.agent.api.setConsent({ granted: true });
    await t.page.reload();
    await t.page.waitForSelector('#state .headline[data-state="up"]');
    await t.page.waitForSelector('#payload[aria-busy="false"] li[data-pointer]');
    expect(await t.page.textContent('#error')).toBe('');
    expect(t.page.url()).not.toContain('token');
    expect(await t.page.evaluate('sessionStorage.getItem("candor.token")')).toBe(t.handle.token);
    expect(await t.page.evaluate('localStorage.length')).toBe(0);
    expect(await t.page.evaluate('document.cookie')).toBe('');

    // Another tab has no token until it is given the address.
    const other = await t.page.context().newPage();
    await other.goto(t.handle.url);
    await other.locator('#error').filter({ hasText: 'No access token' }).waitFor();
    // Pasting the printed address into that tab (only the fragment changes) connects it.
    await other.goto(t.handle.previewUrl);
    await other.waitForSelector('#state .headline[data-state="up"]');
    expect(await other.textContent('#error')).toBe('');
    expect(other.url()).toBe(t.handle.url);
    await other.close();
  });

  it('writes every time in one format, in the locale and time zone of the person', async () => {
    await t.handle.agent.sendNow();
    await t.page.click('#state button[data-pause="1h"]');
    await t.page.waitForSelector('#state button:text-is("Resume")');
    const status = await t.statusOverHttp();
    const until = status.paused_until ?? '';
    const pause = (await shownReasons()).filter((reason) => reason.startsWith('paused'));
    expect(pause).toHaveLength(1);
    expect(pause[0]?.replace('paused until ', '')).toMatch(honolulu(until));
    expect((await fact('Pause'))?.replace('paused until ', '')).toMatch(honolulu(until));
    expect((await fact('Consent'))?.replace('granted on ', '')).toMatch(honolulu(status.consent_at ?? ''));

    const row = t.page.locator('#history tbody tr time').first();
    await row.waitFor();
    expect(await row.textContent()).toMatch(honolulu((await row.getAttribute('datetime')) ?? ''));
    // No other format anywhere: no seconds, no 24-hour clock.
    const text = `${await t.page.textContent('#state')} ${await t.page.textContent('#history')}`;
    expect(text).not.toMatch(/\d:\d{2}:\d{2}/);
    expect(text).not.toMatch(/\b([01]\d|2[0-3]):[0-5]\d\b(?!\s[AP]M)/);

    await t.page.click('#state button:text-is("Resume")');
    await t.page.waitForSelector('#state button[data-pause="30m"]');
  });

  it('never offers to end a pause whose time has passed', async () => {
    // The agent may still report a pause that ended a minute ago; the page must not show it.
    // The consent time changes in the same write, so the page shows when the agent has read it.
    const consentAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    writeSettings({ pausedUntil: new Date(Date.now() - 60_000).toISOString(), consentAt });
    await t.page
      .locator('#state .facts dt:text-is("Consent") + dd')
      .filter({ hasText: new RegExp(`granted on ${honolulu(consentAt).source.replace(/^\^|\$$/g, '')}`) })
      .waitFor();
    expect(await t.page.locator('#state button:text-is("Resume")').count()).toBe(0);
    expect(await fact('Pause')).toBe('not paused');
    expect(await shownReasons()).toEqual([]);
    expect(await t.page.getAttribute('#state .headline', 'data-sending')).toBe('true');
  });

  it('takes a pause away when its time comes', async () => {
    writeSettings({ pausedUntil: new Date(Date.now() + 4_000).toISOString() });
    await t.page.waitForSelector('#state button:text-is("Resume")');
    expect(await fact('Pause')).toMatch(/^paused until /);
    await t.page.locator('#state button:text-is("Resume")').waitFor({ state: 'detached' });
    expect(await fact('Pause')).toBe('not paused');
    expect((await shownReasons()).filter((reason) => reason.startsWith('paused'))).toEqual([]);
    expect(await t.page.getAttribute('#state .headline', 'data-sending')).toBe('true');
    expect(await t.page.locator('#state button[data-pause]').count()).toBe(4);
  });

  it('ran without page errors or CSP violations', () => {
    expect(t.problems.join('\n')).toBe('');
  });
});
