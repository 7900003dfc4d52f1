import type { AgentApi, HistoryEntry } from '../main/api.js';
import { renderReceipts } from './deletion-receipts.js';
import { button, formatBytes, h } from './dom.js';
import { formatTime } from './time-format.js';
import { createPayloadTree } from './tree.js';

// Reports already delivered: when, under which id, how big; a kept body opens in
// the same tree as the preview. The viewer is not a live region: opening it moves
// focus to its heading, which is announced, instead of reading the whole tree out.
// Below them, the collector's receipts for the deletion requests this machine sent.

// A queued deletion request's receipt appears when the status push says the request
// left (deletions_pending changes): the page refreshes the history then.
export interface HistoryPanel {
  refresh(): Promise<void>;
}

export function createHistoryPanel(target: HTMLElement, api: AgentApi, report: (error: unknown) => void): HistoryPanel {
  const table = h('div', { class: 'history-table' });
  const actions = h('div', { class: 'button-row' });
  const viewer = h('div', { class: 'history-body' });
  const receipts = h('div', { class: 'deletion-receipts' });
  target.replaceChildren(table, actions, viewer, receipts);
  let entries: HistoryEntry[] = [];

  /** The row's Open button as it is now (a refresh rebuilds the table), else the panel heading. */
  function focusOpener(sha256: string): void {
    const opener = table.querySelector<HTMLButtonElement>(`button[data-sha256="${sha256}"]`);
    (opener ?? document.getElementById('history-title'))?.focus();
  }

  async function open(entry: HistoryEntry): Promise<void> {
    try {
      const { body } = await api.historyBody({ sha256: entry.sha256 });
      if (body === null) {
        const gone = h('p', { class: 'muted', attrs: { tabindex: -1 } }, 'This body is no longer kept.');
        viewer.replaceChildren(gone);
        gone.focus();
        return;
      }
      const tree = createPayloadTree(`Report sent ${formatTime(entry.time)}`);
      // A delivered body is what left the machine; there is no change to list.
      tree.set({ payload: body, changes: [], raw: false, asSent: true });
      const close = button('Close', () => {
        viewer.replaceChildren();
        focusOpener(entry.sha256);
      });
      const heading = h('h3', { attrs: { tabindex: '-1' } }, `Sent ${formatTime(entry.time)} — exactly these bytes left the machine`);
      viewer.replaceChildren(heading, tree.element, close);
      heading.focus();
    } catch (error) {
      report(error);
    }
  }

  function renderTable(): void {
    if (entries.length === 0) {
      table.replaceChildren(h('p', { class: 'muted' }, 'Nothing has been sent yet.'));
      actions.replaceChildren();
      return;
    }
    const rows = entries.map((entry) => {
      const opener = button('Open', () => void open(entry), {
        attrs: { 'aria-label': `Open the report sent ${formatTime(entry.time)}`, 'data-sha256': entry.sha256 },
      });
      return h(
        'tr',
        {},
        h('td', {}, h('time', { attrs: { datetime: entry.time } }, formatTime(entry.time))),
        h('td', { class: 'mono' }, entry.instance_id),
        h('td', {}, String(entry.details_level)),
        h('td', {}, formatBytes(entry.bytes)),
        h('td', {}, entry.body_kept ? opener : h('span', { class: 'muted' }, 'not kept')),
      );
    });
    table.replaceChildren(
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Sent reports, newest first'),
        h('thead', {}, h('tr', {}, ...['Time', 'Id', 'Level', 'Size', 'Body'].map((label) => h('th', { attrs: { scope: 'col' } }, label)))),
        h('tbody', {}, ...rows),
      ),
    );
    renderClear(false);
  }

  function renderClear(confirming: boolean): void {
    if (!confirming) {
      actions.replaceChildren(button('Clear history…', () => renderClear(true)));
      return;
    }
    const yes = button(`Forget ${entries.length} entries`, () => void clear(), { class: 'danger' });
    actions.replaceChildren(
      h('span', {}, 'Forget the sent history on this machine? '),
      yes,
      button('Cancel', () => renderClear(false)),
    );
    yes.focus();
  }

  async function clear(): Promise<void> {
    try {
      await api.clearHistory({});
      viewer.replaceChildren();
      await refresh();
    } catch (error) {
      report(error);
    }
  }

  async function refresh(): Promise<void> {
    try {
      const result = await api.history({});
      entries = [...result.entries].sort((a, b) => b.time.localeCompare(a.time));
      renderTable();
      renderReceipts(receipts, result.deletions);
    } catch (error) {
      report(error);
    }
  }

  return { refresh };
}
