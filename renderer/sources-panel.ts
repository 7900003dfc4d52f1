import type { AgentApi, AgentStatus, SourcesResult } from '../main/api.js';
import { append, h } from './dom.js';
import {
  answerText,
  dataView,
  receivedText,
  stateLabel,
  summaryText,
  waitingText,
  type SourceEntry,
  type SourcesPreview,
} from './sources-view.js';
import type { Connection } from './status-stream.js';
import { createPayloadTree, type PayloadTree } from './tree.js';

// The apps that report through Candor (its OpenTelemetry intake), each with its state,
// who answered, the person's Allow and Deny, and what of its data the previewed report
// holds. The pushed status is the source of truth for the list and the answers; the
// `sources` call adds when and how much; the preview adds the data itself.

export interface SourcesPanel {
  /** A pushed (or first fetched) status: its `sources` list is drawn at once. */
  setStatus(status: AgentStatus): void;
  /** The preview the payload tree shows: pending apps' would-be data, allowed apps' places in the payload. */
  setPreview(preview: SourcesPreview): void;
  setConnection(state: Connection): void;
  /** Asks the agent for the details (answer times, counts, the intake's address). */
  refresh(): Promise<void>;
}

export interface SourcesPanelOptions {
  /** The list or an answer changed: the payload (allowed apps) and the pending data must be built again. */
  reloadPreview(): void;
  /** Shows a pointer of the payload tree; false when the tree does not show it. */
  reveal(pointer: string): boolean;
}

export function createSourcesPanel(
  target: HTMLElement,
  waitingNotice: HTMLElement,
  api: AgentApi,
  report: (error: unknown) => void,
  options: SourcesPanelOptions,
): SourcesPanel {
  const intakeLine = h('p', { class: 'intake-line' });
  // Polite and kept in place: a new app waiting is announced once, not every redraw.
  const summary = h('p', { class: 'sources-summary', attrs: { role: 'status', 'aria-live': 'polite' } });
  const list = h('ul', { class: 'sources', attrs: { 'aria-label': 'Apps' } });
  target.replaceChildren(intakeLine, summary, list);

  let entries: SourceEntry[] = [];
  let lastKey = '';
  let details: SourcesResult | null = null;
  let preview: SourcesPreview | null = null;
  /** The list changed since the shown preview was built. */
  let stale = true;
  let connection: Connection = 'up';
  let pushes = 0;
  let busy = false;
  /** One tree per pending app, so what the person opened stays open across redraws. */
  const trees = new Map<string, PayloadTree>();

  function apply(next: SourceEntry[], fromDetails: boolean): void {
    const key = JSON.stringify(next);
    if (key === lastKey) return;
    lastKey = key;
    entries = next;
    stale = true;
    options.reloadPreview();
    if (!fromDetails) void refresh();
    draw();
  }

  async function refresh(): Promise<void> {
    const seen = pushes;
    try {
      const result = await api.sources({});
      details = result;
      // A push that came while the call ran is newer than its list.
      if (pushes === seen)
        apply(
          result.sources.map(({ name, state, answered_by }) => ({ name, state, answered_by })),
          true,
        );
      draw();
    } catch (error) {
      report(error);
    }
  }

  async function answer(name: string, state: 'allowed' | 'denied'): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      await api.answerSource({ name, answer: state });
      // The push brings the new state; the details (the answer's time) come from the agent too.
      await refresh();
    } catch (error) {
      report(error);
    } finally {
      busy = false;
    }
  }

  function intakeText(): string {
    const intake = details?.intake;
    if (intake === undefined) return '';
    if (intake.listening && intake.port !== null)
      return `Apps on this machine send OpenTelemetry data (OTLP/HTTP) to Candor at http://127.0.0.1:${intake.port}. An app's data leaves only once you allow it.`;
    return intake.problem === null
      ? 'The OpenTelemetry intake is not running: no app can report through Candor now.'
      : `The OpenTelemetry intake is not running (${intake.problem}): no app can report through Candor now.`;
  }

  function setText(node: HTMLElement, text: string): void {
    if (node.textContent !== text) node.textContent = text;
  }

  function drawNotice(): void {
    const waiting = connection === 'up' ? waitingText(entries) : null;
    waitingNotice.hidden = waiting === null;
    if (waiting === null) return waitingNotice.replaceChildren();
    const link = waitingNotice.querySelector('a');
    if (link !== null && link.textContent === waiting) return;
    waitingNotice.replaceChildren(h('a', { attrs: { href: '#sources-title' } }, waiting));
  }

  function dataPart(entry: SourceEntry): HTMLElement | null {
    if (stale && entry.state !== 'denied') return h('p', { class: 'muted' }, 'Building the preview…');
    const view = dataView(entry, preview);
    if (view === null) return null;
    if (view.kind === 'level' || view.kind === 'note') return h('p', { class: 'source-note' }, view.text);
    if (view.kind === 'in-payload') {
      const show = h(
        'button',
        { attrs: { type: 'button', 'aria-label': `Show in the payload: ${entry.name}'s data` } },
        'Show in the payload',
      );
      show.addEventListener('click', () => {
        if (!options.reveal(view.pointer)) report(`${entry.name}: the payload tree does not show ${view.pointer} (clear the search?)`);
      });
      return h('div', { class: 'button-row' }, h('span', {}, view.text), show);
    }
    let tree = trees.get(entry.name);
    if (tree === undefined) {
      tree = createPayloadTree(`What ${entry.name} would send once allowed (not sent)`);
      trees.set(entry.name, tree);
    }
    tree.set(view.tree);
    return h(
      'div',
      { class: 'pending-data' },
      h(
        'p',
        { class: 'pending-banner' },
        h('strong', {}, 'Waiting for your answer: nothing of it is sent.'),
        ` Once allowed, it would add this to each report at level ${preview?.level ?? ''}${view.tree.raw ? ' (raw values, never sent)' : ''}:`,
      ),
      tree.element,
    );
  }

  function card(entry: SourceEntry): HTMLLIElement {
    const info = details?.sources.find((source) => source.name === entry.name);
    const choice = (state: 'allowed' | 'denied', label: string): HTMLButtonElement => {
      const node = h(
        'button',
        { attrs: { type: 'button', 'aria-label': `${label} ${entry.name}`, 'data-answer': state, disabled: entry.state === state } },
        label,
      );
      node.addEventListener('click', () => void answer(entry.name, state));
      return node;
    };
    // Allow and Deny look alike: the page must not nudge towards either answer.
    const buttons = h(
      'div',
      { class: 'button-row', attrs: { role: 'group', 'aria-label': `Your answer for ${entry.name}` } },
      choice('allowed', 'Allow'),
      choice('denied', 'Deny'),
    );
    const received = receivedText(entry, info);
    return h(
      'li',
      {
        class: 'source',
        attrs: {
          'data-source': entry.name,
          'data-state': entry.state,
          'data-answered-by': entry.answered_by,
          'data-slot': `source:${entry.name}`,
        },
      },
      h(
        'h3',
        {},
        h('span', { class: 'source-name' }, entry.name),
        ' ',
        h('span', { class: `source-state state-${entry.state}` }, stateLabel(entry.state)),
      ),
      h('p', { class: 'source-answer' }, answerText(entry, info)),
      received === null ? null : h('p', { class: 'source-received muted' }, received),
      buttons,
      dataPart(entry),
    );
  }

  function draw(): void {
    drawNotice();
    if (connection !== 'up') {
      setText(intakeLine, '');
      setText(
        summary,
        connection === 'down'
          ? 'Not known while the agent is not running.'
          : "Not known until this page has the agent's new address (see above).",
      );
      list.replaceChildren();
      target.setAttribute('aria-busy', 'false');
      return;
    }
    setText(intakeLine, intakeText());
    setText(summary, summaryText(entries));
    // Redrawing removes the focused control; keep keyboard focus on the same app (its first answer that changes something).
    const focusedSlot = document.activeElement?.closest('[data-slot]')?.getAttribute('data-slot');
    for (const name of [...trees.keys()])
      if (!entries.some((entry) => entry.name === name && entry.state === 'pending')) trees.delete(name);
    list.replaceChildren();
    append(list, entries.map(card));
    target.setAttribute('aria-busy', String(stale));
    if (focusedSlot && !target.contains(document.activeElement)) {
      const slot = [...target.querySelectorAll<HTMLElement>('[data-slot]')].find((node) => node.dataset['slot'] === focusedSlot);
      slot?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
    }
  }

  return {
    setStatus(status) {
      pushes += 1;
      apply(status.sources, false);
    },
    setPreview(next) {
      preview = next;
      stale = false;
      draw();
    },
    setConnection(state) {
      connection = state;
      // Whatever comes first after a reconnection is drawn anew.
      if (state !== 'up') lastKey = '';
      draw();
    },
    refresh,
  };
}
