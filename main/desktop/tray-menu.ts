import type { AgentStatus } from '../api.js';

// The tray menu as a pure function of the effective state: tray.ts rebuilds the native
// menu from this template on every status change, so the menu can never drift from the
// agent. Tests assert the template per state without Electron.

export const TRAY_ACTIONS = [
  'pause-1h',
  'pause-until-restart',
  'resume',
  'open-preview',
  'open-sources',
  'export-report',
  'disable',
  'enable',
  'request-deletion',
  'quit',
] as const;
export type TrayBasicAction = (typeof TRAY_ACTIONS)[number];
/** The person's answer for one app, by its name (source names never hold a ":"). */
export type SourceAnswerAction = `allow-source:${string}` | `deny-source:${string}`;
export type TrayAction = TrayBasicAction | SourceAnswerAction;

export type TrayMenuItem =
  | { type: 'normal'; id: TrayAction | null; label: string; enabled: boolean }
  | { type: 'submenu'; label: string; items: TrayMenuItem[] }
  | { type: 'separator' };

export type TrayIconState = 'sending' | 'paused' | 'off';

type SourceEntry = AgentStatus['sources'][number];

export function sourceAction(answer: 'allowed' | 'denied', name: string): SourceAnswerAction {
  return answer === 'allowed' ? `allow-source:${name}` : `deny-source:${name}`;
}

/** The answer a menu id stands for, or null for the other items. */
export function parseSourceAction(action: string): { name: string; answer: 'allowed' | 'denied' } | null {
  const match = /^(allow|deny)-source:(.+)$/.exec(action);
  if (match === null) return null;
  return { name: match[2] ?? '', answer: match[1] === 'allow' ? 'allowed' : 'denied' };
}

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

export function pendingSources(status: AgentStatus): number {
  return status.sources.filter((source) => source.state === 'pending').length;
}

/** "1 app waiting for an answer", "2 apps …"; null when none waits. */
export function waitingLine(status: AgentStatus): string | null {
  const waiting = pendingSources(status);
  if (waiting === 0) return null;
  return `${waiting} ${waiting === 1 ? 'app' : 'apps'} waiting for an answer`;
}

export function trayTooltip(status: AgentStatus): string {
  const extra = status.reasons.length > 1 ? ` (+${status.reasons.length - 1} more)` : '';
  const waiting = waitingLine(status);
  return `Candor: ${statusLine(status)}${status.sending ? '' : extra}${waiting === null ? '' : `; ${waiting}`}`;
}

/** "waiting for your answer", "allowed", "denied, set by the operator". */
export function sourceStateText(source: SourceEntry): string {
  const state = source.state === 'pending' ? 'waiting for your answer' : source.state;
  return source.answered_by === 'operator' ? `${state}, set by the operator` : state;
}

function sourceMeaning(source: SourceEntry): string {
  if (source.state === 'pending') return 'Nothing of it is sent until you answer';
  return source.state === 'allowed' ? 'Its data goes into the reports' : 'Its data is dropped as it arrives';
}

const separator: TrayMenuItem = { type: 'separator' };

function item(id: TrayAction | null, label: string, enabled = true): TrayMenuItem {
  return { type: 'normal', id, label, enabled };
}

/** One app: its state, what that means, and the answers that would change it. */
function sourceMenu(source: SourceEntry): TrayMenuItem {
  return {
    type: 'submenu',
    label: `${source.name}: ${sourceStateText(source)}`,
    items: [
      item(null, sourceMeaning(source), false),
      ...(source.answered_by === 'operator' ? [item(null, 'Your answer wins over the operator’s', false)] : []),
      separator,
      item(sourceAction('allowed', source.name), 'Allow', source.state !== 'allowed'),
      item(sourceAction('denied', source.name), 'Deny', source.state !== 'denied'),
    ],
  };
}

function appsMenu(status: AgentStatus): TrayMenuItem {
  const waiting = pendingSources(status);
  return {
    type: 'submenu',
    label: waiting === 0 ? 'Apps' : `Apps (${waiting} waiting)`,
    items: [
      ...(status.sources.length === 0 ? [item(null, 'No app reports through Candor yet', false)] : status.sources.map(sourceMenu)),
      separator,
      item('open-sources', 'Show apps in the preview…'),
    ],
  };
}

export function trayMenuTemplate(status: AgentStatus): TrayMenuItem[] {
  const paused = status.paused_until !== null;
  // Pausing only means something while reports are actually going out.
  const pauseItems = paused
    ? [item('resume', 'Resume')]
    : [item('pause-1h', 'Pause for 1 hour', status.sending), item('pause-until-restart', 'Pause until restart', status.sending)];
  // An app waiting for an answer is said at the top, where the person looks first.
  const waiting = waitingLine(status);
  return [
    item(null, statusLine(status), false),
    ...(waiting === null ? [] : [item('open-sources', `${waiting}…`)]),
    separator,
    ...pauseItems,
    separator,
    item('open-preview', status.consent === 'unset' ? 'Review and consent…' : 'Open preview…'),
    item('export-report', 'Export report…'),
    appsMenu(status),
    separator,
    status.user_disabled ? item('enable', 'Enable telemetry') : item('disable', 'Disable telemetry'),
    item('request-deletion', 'Request data deletion…'),
    separator,
    item('quit', 'Quit'),
  ];
}
