import type { AgentApi, AgentStatus, PauseDuration } from '../main/api.js';
import { consentTerms } from './consent-terms.js';
import { append, button, h } from './dom.js';
import { msUntilPauseEnds, pauseText, statusAt } from './pause-view.js';
import type { Connection } from './status-stream.js';
import { formatTime } from './time-format.js';

// The effective state with every reason, and the controls that change it. Which
// buttons appear is a pure function of the state at this moment, rebuilt on every
// change and when a pause ends. The event stream is the source of truth: a call's own
// result can be older than a push that arrived while the call ran, so it is drawn only
// when no push came since. While the agent does not answer, no old state is shown.

const pauses: [PauseDuration, string][] = [
  ['30m', '30 minutes'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['until-restart', 'Until restart'],
];

export interface StatePanel {
  /** A state pushed by the agent (or fetched at start): always drawn. */
  render(status: AgentStatus): void;
  /** Whether the agent answers; anything but 'up' replaces the state with what is known. */
  setConnection(state: Connection, origin: string): void;
}

export interface StatePanelOptions {
  /** The consent terms' link: show the level that would be sent in the payload tree. */
  showSentLevel(level: number): void;
}

/** setTimeout's limit; a longer pause is looked at again after this long. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createStatePanel(
  target: HTMLElement,
  api: AgentApi,
  report: (error: unknown) => void,
  options: StatePanelOptions,
): StatePanel {
  let busy = false;
  let pushes = 0;
  let last: AgentStatus | null = null;
  let connection: Connection = 'up';
  let origin = '';
  let pauseTimer: ReturnType<typeof setTimeout> | null = null;

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

  function render(status: AgentStatus): void {
    pushes += 1;
    draw(status);
  }

  /** Redraws when a timed pause ends, and asks the agent for the state after it. */
  function watchPause(status: AgentStatus): void {
    if (pauseTimer !== null) clearTimeout(pauseTimer);
    pauseTimer = null;
    const ms = msUntilPauseEnds(status, new Date());
    if (ms === null) return;
    pauseTimer = setTimeout(
      () => {
        pauseTimer = null;
        if (last === null || connection !== 'up') return;
        draw(last);
        const seen = pushes;
        api.status({}).then((fresh) => {
          if (pushes === seen && connection === 'up') draw(fresh);
        }, report);
      },
      // A few ms late rather than early: at the end itself the pause still counts.
      Math.min(ms + 50, MAX_TIMER_MS),
    );
  }

  function setConnection(state: Connection, at: string): void {
    connection = state;
    origin = at;
    // Back up: the stream's first event, right behind, is the state to draw, not the one from before.
    if (state === 'up') return;
    if (pauseTimer !== null) clearTimeout(pauseTimer);
    pauseTimer = null;
    drawUnavailable();
  }

  function drawUnavailable(): void {
    const down = connection === 'down';
    target.replaceChildren(
      h(
        'p',
        { class: 'headline unknown', attrs: { 'data-state': connection } },
        down ? 'Agent not running.' : 'Not connected to the agent.',
      ),
      h(
        'p',
        {},
        down
          ? `Nothing answers at ${origin}, so nothing is collected or sent from here right now. Start the agent again (npm start, or npx candor start); this page reconnects by itself.`
          : 'A new Candor agent runs at this address, with a new access token. Open the address it printed (it ends in #token=…); this tab can take it.',
      ),
    );
  }

  function draw(agentStatus: AgentStatus): void {
    last = agentStatus;
    if (connection !== 'up') return;
    watchPause(agentStatus);
    const status = statusAt(agentStatus, new Date());
    // Re-rendering removes the focused button; keep keyboard focus in the same group.
    const focusedSlot = document.activeElement?.closest('[data-slot]')?.getAttribute('data-slot');
    const headline = h(
      'p',
      { class: `headline ${status.sending ? 'on' : 'off'}`, attrs: { 'data-state': 'up', 'data-sending': String(status.sending) } },
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
      h('dd', {}, status.paused_until === null ? 'not paused' : pauseText(status.paused_until)),
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
                  { attrs: { href: '#payload-title' }, on: { click: () => options.showSentLevel(status.details_level) } },
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

  return { render, setConnection };
}
