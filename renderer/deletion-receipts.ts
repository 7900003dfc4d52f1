import type { DeletionReceipt } from '../main/api.js';
import { h } from './dom.js';
import { formatTime } from './time-format.js';

// The collector's answers to this machine's deletion requests, newest first: when the
// rows were deleted and how many, or that the request was delivered without a receipt.
// The ids are this machine's own; they stay behind a disclosure so the list stays short.

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

const time = (iso: string): HTMLTimeElement => h('time', { attrs: { datetime: iso } }, formatTime(iso));

function receiptItem(receipt: DeletionReceipt): HTMLLIElement {
  const ids = count(receipt.ids.length, 'id', 'ids');
  const outcome =
    receipt.deleted_at === null
      ? ['delivered on ', time(receipt.confirmed_at), '; the collector sent no receipt']
      : ['deleted on ', time(receipt.deleted_at), ` (${count(receipt.rows_deleted ?? 0, 'row', 'rows')} at the collector)`];
  return h(
    'li',
    { class: 'receipt', attrs: { 'data-receipt': receipt.deleted_at === null ? 'none' : 'deleted' } },
    h('p', { class: 'receipt-line' }, 'Deletion request of ', time(receipt.requested_at), ` for ${ids} — `, ...outcome),
    h(
      'details',
      { class: 'receipt-ids' },
      h('summary', {}, `The ${ids} it named (shown only here)`),
      h('ul', { class: 'ids mono' }, ...receipt.ids.map((id) => h('li', {}, id))),
    ),
  );
}

export function renderReceipts(target: HTMLElement, receipts: readonly DeletionReceipt[]): void {
  if (receipts.length === 0) {
    target.replaceChildren();
    return;
  }
  const newestFirst = [...receipts].sort((a, b) => b.requested_at.localeCompare(a.requested_at));
  target.replaceChildren(
    h('h3', { attrs: { id: 'deletion-receipts-title' } }, 'Deletion requests'),
    h('ul', { class: 'receipt-list', attrs: { 'aria-labelledby': 'deletion-receipts-title' } }, ...newestFirst.map(receiptItem)),
  );
}
