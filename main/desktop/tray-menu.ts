import type { AgentStatus } from '../api.js';

// The tray menu as a pure function of the effective state: tray.ts rebuilds the native
// menu from this template on every status change, so the menu can never drift from the
// agent. Tests assert the template per state without Electron.

export const TRAY_ACTIONS = [
  'pause-1h',
  'pause-until-restart',
  'resume',
  'open-preview',
  'export-report',
  'disable',
  'enable',
  'request-deletion',
  'quit',
] as const;
export type TrayAction = (typeof TRAY_ACTIONS)[number];

export type TrayMenuItem = { type: 'normal'; id: TrayAction | null; label: string; enabled: boolean } | { type: 'separator' };

export type TrayIconState = 'sending' | 'paused' | 'off';

/** The one line that says what telemetry is doing right now, and why when it is off. */
export function statusLine(status: AgentStatus): string {
  if (status.sending) return status.endpoint_configured ? 'Sending anonymized reports' : 'Telemetry is on';
  return status.reasons[0] ?? 'Telemetry is off';
}

/** Paused only when the pause is all that stops sending; with any other reason, off. */
export function trayIconState(status: AgentStatus): TrayIconState {
  if (status.sending) return 'sending';
  const onlyPaused = status.paused_until !== null && status.reasons.every((reason) => /^paused\b/i.test(reason));
  return onlyPaused ? 'paused' : 'off';
}

export function trayTooltip(status: AgentStatus): string {
  const extra = status.reasons.length > 1 ? ` (+${status.reasons.length - 1} more)` : '';
  return `Candor: ${statusLine(status)}${status.sending ? '' : extra}`;
}

const separator: TrayMenuItem = { type: 'separator' };

function item(id: TrayAction | null, label: string, enabled = true): TrayMenuItem {
  return { type: 'normal', id, label, enabled };
}

export function trayMenuTemplate(status: AgentStatus): TrayMenuItem[] {
  const paused = status.paused_until !== null;
  // Pausing only means something while reports are actually going out.
  const pauseItems = paused
    ? [item('resume', 'Resume')]
    : [item('pause-1h', 'Pause for 1 hour', status.sending), item('pause-until-restart', 'Pause until restart', status.sending)];
  return [
    item(null, statusLine(status), false),
    separator,
    ...pauseItems,
    separator,
    item('open-preview', status.consent === 'unset' ? 'Review and consent…' : 'Open preview…'),
    item('export-report', 'Export report…'),
    separator,
    status.user_disabled ? item('enable', 'Enable telemetry') : item('disable', 'Disable telemetry'),
    item('request-deletion', 'Request data deletion…'),
    separator,
    item('quit', 'Quit'),
  ];
}
