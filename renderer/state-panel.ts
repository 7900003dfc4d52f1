import type { AgentApi, AgentStatus, PauseDuration } from '../main/api.js';
import { consentTerms } from './consent-terms.js';
import { append, button, formatTime, h } from './dom.js';

// The effective state with every reason, and the controls that change it. Which
// buttons appear is a pure function of the state, rebuilt on every change.
// The event stream is the source of truth: a call's own result can be older than a
// push that arrived while the call ran, so it is drawn only when no push came since.

const pauses: [PauseDuration, string][] = [
  ['30m', '30 minutes'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['until-restart', 'Until restart'],
];

export interface StatePanel {
  /** A state pushed by the agent (or fetched at start): always drawn. */
  render(status: AgentStatus): void;
}

export function createStatePanel(target: HTMLElement, api: AgentApi, report: (error: unknown) => void): StatePanel {
  let busy = false;
  let pushes = 0;

  async function act(run: () => Promise<AgentStatus>): Promise<void> {
    if (busy) return;
    busy = true;
    const seen = pushes;
    try {
      const result = await run();
      if (pushes === seen) draw(result);
    } catch (error) {
      report(error);
    } finally {
      busy = false;
    }
  }

  function pausedText(until: string): string {
    return until === 'restart' ? 'Paused until Candor restarts.' : `Paused until ${formatTime(until)}.`;
  }

  function render(status: AgentStatus): void {
    pushes += 1;
    draw(status);
  }

  function draw(status: AgentStatus): void {
    // Re-rendering removes the focused button; keep keyboard focus in the same group.
    const focusedSlot = document.activeElement?.closest('[data-slot]')?.getAttribute('data-slot');
    const headline = h(
      'p',
      { class: `headline ${status.sending ? 'on' : 'off'}`, attrs: { 'data-sending': String(status.sending) } },
      status.sending ? 'Sending is on.' : 'Sending is off.',
      ' ',
      status.collecting ? 'Collection for this preview keeps running.' : 'Collection is stopped.',
    );
    const reasons =
      status.reasons.length > 0
        ? h(
            'ul',
            { class: 'reasons', attrs: { 'aria-label': 'Why sending is off' } },
            ...status.reasons.map((reason) => h('li', {}, reason)),
          )
        : null;

    const facts = h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Consent'),
      h(
        'dd',
        {},
        status.consent === 'unset'
          ? 'not asked yet'
          : `${status.consent}${status.consent_at ? ` on ${formatTime(status.consent_at)}` : ''}`,
      ),
      h('dt', {}, 'Pause'),
      h('dd', {}, status.paused_until === null ? 'not paused' : pausedText(status.paused_until)),
      h('dt', {}, 'Delivery'),
      h(
        'dd',
        {},
        `${status.delivery}${status.outbox_pending > 0 ? `, ${status.outbox_pending} waiting` : ''}${status.endpoint_configured ? '' : ' (no endpoint configured)'}`,
      ),
      h('dt', {}, 'Telemetry id'),
      h('dd', { class: 'mono' }, status.telemetry_id),
    );

    // Before the first answer, say what is agreed to; the tree shows that very report.
    const terms =
      status.consent === 'unset'
        ? h(
            'p',
            { class: 'consent-terms' },
            consentTerms(status),
            status.endpoint_host === null ? null : ' ',
            status.endpoint_host === null
              ? null
              : h(
                  'a',
                  { attrs: { href: '#payload-title' } },
                  `See that report field by field in the payload tree (level ${status.details_level}).`,
                ),
          )
        : null;
    // Grant and Decline look alike: the page must not nudge towards either answer.
    const consent = h(
      'div',
      { class: 'button-row', attrs: { role: 'group', 'aria-label': 'Consent', 'data-slot': 'consent' } },
      status.consent !== 'granted' && button('Grant consent', () => void act(() => api.setConsent({ granted: true }))),
      status.consent === 'granted' && button('Revoke consent', () => void act(() => api.setConsent({ granted: false }))),
      status.consent === 'unset' && button('Decline', () => void act(() => api.setConsent({ granted: false }))),
    );
    // Pausing only means something while sending is on; a pause in force can always be ended.
    const pause =
      status.paused_until !== null
        ? h(
            'div',
            { class: 'button-row', attrs: { 'data-slot': 'pause' } },
            button('Resume', () => void act(() => api.resume({}))),
          )
        : status.sending
          ? h(
              'div',
              { class: 'button-row', attrs: { role: 'group', 'aria-label': 'Pause sending', 'data-slot': 'pause' } },
              h('span', { class: 'group-label' }, 'Pause:'),
              ...pauses.map(([duration, label]) =>
                button(label, () => void act(() => api.pause({ duration })), { attrs: { 'data-pause': duration } }),
              ),
            )
          : null;
    const disable = h(
      'div',
      { class: 'button-row', attrs: { 'data-slot': 'disable' } },
      status.user_disabled
        ? button('Enable telemetry', () => void act(() => api.enable({})))
        : button('Disable telemetry', () => void act(() => api.disable({})), { class: 'danger' }),
    );

    target.replaceChildren();
    append(target, [headline, reasons, facts, terms, consent, pause, disable]);
    if (focusedSlot && target.contains(document.activeElement) === false) {
      target.querySelector<HTMLButtonElement>(`[data-slot="${focusedSlot}"] button`)?.focus();
    }
  }

  return { render };
}
