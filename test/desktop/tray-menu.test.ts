import { describe, expect, it } from 'vitest';
import {
  parseSourceAction,
  sourceAction,
  statusLine,
  trayIconState,
  trayMenuTemplate,
  trayTooltip,
  type TrayMenuItem,
} from '../../main/desktop/tray-menu.js';
import { statusFixture } from './fake-api.js';

type Summary = string | [string, boolean, string | null] | [string, Summary[]];

/** label, enabled, id of each normal item; label and items of a submenu; separators as '---'. */
function summary(items: TrayMenuItem[]): Summary[] {
  return items.map((item): Summary => {
    if (item.type === 'separator') return '---';
    if (item.type === 'submenu') return [item.label, summary(item.items)];
    return [item.label, item.enabled, item.id];
  });
}

const noApps: Summary = [
  'Apps',
  [['No app reports through Candor yet', false, null], '---', ['Show apps in the preview…', true, 'open-sources']],
];
const tail = ['---', ['Open preview…', true, 'open-preview'], ['Export report…', true, 'export-report'], noApps, '---'];
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

describe('tray menu: apps reporting through Candor', () => {
  const apps = (items: TrayMenuItem[]): Extract<TrayMenuItem, { type: 'submenu' }> => {
    const found = items.find((i) => i.type === 'submenu' && i.label.startsWith('Apps'));
    if (found?.type !== 'submenu') throw new Error('no Apps submenu');
    return found;
  };

  it('one entry per app with its state and who set it, each with Allow and Deny', () => {
    const status = statusFixture({
      sources: [
        { name: 'billing', state: 'denied', answered_by: 'operator' },
        { name: 'shop-api', state: 'pending', answered_by: 'none' },
        { name: 'web.front', state: 'allowed', answered_by: 'person' },
      ],
    });
    expect(summary(apps(trayMenuTemplate(status)).items)).toEqual([
      [
        'billing: denied, set by the operator',
        [
          ['Its data is dropped as it arrives', false, null],
          ['Your answer wins over the operator’s', false, null],
          '---',
          ['Allow', true, 'allow-source:billing'],
          ['Deny', false, 'deny-source:billing'],
        ],
      ],
      [
        'shop-api: waiting for your answer',
        [
          ['Nothing of it is sent until you answer', false, null],
          '---',
          ['Allow', true, 'allow-source:shop-api'],
          ['Deny', true, 'deny-source:shop-api'],
        ],
      ],
      [
        'web.front: allowed',
        [
          ['Its data goes into the reports', false, null],
          '---',
          ['Allow', false, 'allow-source:web.front'],
          ['Deny', true, 'deny-source:web.front'],
        ],
      ],
      '---',
      ['Show apps in the preview…', true, 'open-sources'],
    ]);
  });

  it('apps waiting for an answer are said at the top of the menu, in the Apps label and in the tooltip', () => {
    const status = statusFixture({
      sources: [
        { name: 'a', state: 'pending', answered_by: 'none' },
        { name: 'b', state: 'pending', answered_by: 'none' },
        { name: 'c', state: 'allowed', answered_by: 'operator' },
      ],
    });
    const items = trayMenuTemplate(status);
    expect(summary(items).slice(0, 3)).toEqual([
      ['Sending anonymized reports', false, null],
      ['2 apps waiting for an answer…', true, 'open-sources'],
      '---',
    ]);
    expect(apps(items).label).toBe('Apps (2 waiting)');
    expect(trayTooltip(status)).toBe('Candor: Sending anonymized reports; 2 apps waiting for an answer');
    const one = statusFixture({
      sending: false,
      reasons: ['Waiting for your consent'],
      sources: [{ name: 'a', state: 'pending', answered_by: 'none' }],
    });
    expect(summary(trayMenuTemplate(one))[1]).toEqual(['1 app waiting for an answer…', true, 'open-sources']);
    expect(trayTooltip(one)).toBe('Candor: Waiting for your consent; 1 app waiting for an answer');
  });

  it('no app waiting: no line at the top, a plain Apps label', () => {
    const status = statusFixture({ sources: [{ name: 'a', state: 'allowed', answered_by: 'person' }] });
    const items = trayMenuTemplate(status);
    expect(items.filter((i) => i.type === 'normal' && i.id === 'open-sources')).toEqual([]);
    expect(apps(items).label).toBe('Apps');
    expect(trayTooltip(status)).toBe('Candor: Sending anonymized reports');
  });

  it('answer ids name the app and read back', () => {
    for (const name of ['shop-api', 'a.b_c-d', 'x']) {
      expect(parseSourceAction(sourceAction('allowed', name))).toEqual({ name, answer: 'allowed' });
      expect(parseSourceAction(sourceAction('denied', name))).toEqual({ name, answer: 'denied' });
    }
    expect(parseSourceAction('open-sources')).toBeNull();
    expect(parseSourceAction('allow-source:')).toBeNull();
  });
});
