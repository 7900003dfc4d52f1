import { describe, expect, it } from 'vitest';
import { statusLine, trayIconState, trayMenuTemplate, trayTooltip, type TrayMenuItem } from '../../main/desktop/tray-menu.js';
import { statusFixture } from './fake-api.js';

/** label, enabled, id of each normal item, separators as '---'. */
function summary(items: TrayMenuItem[]): (string | [string, boolean, string | null])[] {
  return items.map((item) => (item.type === 'separator' ? '---' : [item.label, item.enabled, item.id]));
}

const tail = ['---', ['Open preview…', true, 'open-preview'], ['Export report…', true, 'export-report'], '---'];
const end = [['Request data deletion…', true, 'request-deletion'], '---', ['Quit', true, 'quit']];

describe('tray menu template', () => {
  it('sending', () => {
    const status = statusFixture();
    expect(summary(trayMenuTemplate(status))).toEqual([
      ['Sending anonymized reports', false, null],
      '---',
      ['Pause for 1 hour', true, 'pause-1h'],
      ['Pause until restart', true, 'pause-until-restart'],
      ...tail,
      ['Disable telemetry', true, 'disable'],
      ...end,
    ]);
    expect(trayIconState(status)).toBe('sending');
    expect(trayTooltip(status)).toBe('Candor: Sending anonymized reports');
  });

  it('on without an endpoint says so instead of claiming to send', () => {
    expect(statusLine(statusFixture({ endpoint_configured: false }))).toBe('Telemetry is on');
  });

  it('paused for a time: the reason is the status line and Resume replaces both pause items', () => {
    const status = statusFixture({ sending: false, paused_until: '2025-01-01T13:00:00.000Z', reasons: ['Paused until 13:00 (tray)'] });
    expect(summary(trayMenuTemplate(status))).toEqual([
      ['Paused until 13:00 (tray)', false, null],
      '---',
      ['Resume', true, 'resume'],
      ...tail,
      ['Disable telemetry', true, 'disable'],
      ...end,
    ]);
    expect(trayIconState(status)).toBe('paused');
  });

  it('paused until restart', () => {
    const status = statusFixture({ sending: false, paused_until: 'restart', reasons: ['Paused until restart'] });
    const items = trayMenuTemplate(status);
    expect(summary(items)[0]).toEqual(['Paused until restart', false, null]);
    expect(items.filter((i) => i.type === 'normal' && i.id?.startsWith('pause'))).toEqual([]);
    expect(items).toContainEqual({ type: 'normal', id: 'resume', label: 'Resume', enabled: true });
    expect(trayIconState(status)).toBe('paused');
  });

  it('off by the user: Enable replaces Disable, pausing is greyed out', () => {
    const status = statusFixture({ sending: false, user_disabled: true, reasons: ['Disabled by you in the tray or preview'] });
    expect(summary(trayMenuTemplate(status))).toEqual([
      ['Disabled by you in the tray or preview', false, null],
      '---',
      ['Pause for 1 hour', false, 'pause-1h'],
      ['Pause until restart', false, 'pause-until-restart'],
      ...tail,
      ['Enable telemetry', true, 'enable'],
      ...end,
    ]);
    expect(trayIconState(status)).toBe('off');
  });

  it('off by environment: the first reason is the status line, the tooltip counts the rest', () => {
    const reasons = ['CANDOR__TELEMETRY_DISABLED=true in the environment', 'DO_NOT_TRACK=1 in the environment'];
    const status = statusFixture({ sending: false, reasons });
    const items = summary(trayMenuTemplate(status));
    expect(items[0]).toEqual(['CANDOR__TELEMETRY_DISABLED=true in the environment', false, null]);
    expect(items).toContainEqual(['Disable telemetry', true, 'disable']);
    expect(items).toContainEqual(['Pause for 1 hour', false, 'pause-1h']);
    expect(trayIconState(status)).toBe('off');
    expect(trayTooltip(status)).toBe('Candor: CANDOR__TELEMETRY_DISABLED=true in the environment (+1 more)');
  });

  it('consent unset: asks for review, nothing to pause', () => {
    const status = statusFixture({ sending: false, consent: 'unset', consent_at: null, reasons: ['Waiting for your consent'] });
    const items = summary(trayMenuTemplate(status));
    expect(items[0]).toEqual(['Waiting for your consent', false, null]);
    expect(items).toContainEqual(['Review and consent…', true, 'open-preview']);
    expect(items).toContainEqual(['Pause for 1 hour', false, 'pause-1h']);
    expect(trayIconState(status)).toBe('off');
  });

  it('never shows an empty status line', () => {
    expect(statusLine(statusFixture({ sending: false, reasons: [] }))).toBe('Telemetry is off');
  });
});
