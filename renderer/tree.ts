import type { ChangeAction, FieldChange } from '../main/api.js';
import type { TreeData } from './tree-data.js';
import { h } from './dom.js';
import { ancestors, childPointer, resolve } from './json-pointer.js';
import { actionMeaning, describeAction, formatValue, wasName, wasNote } from './change-text.js';

// The payload as a collapsible tree. Branches are real buttons with aria-expanded
// (Enter/Space work natively); children are built only when a branch is open.
// Every field the anonymizer changed is marked with how; in anonymized mode its raw
// value is shown beside it as a local "was", which never leaves the machine.

export type { TreeData } from './tree-data.js';

export interface TreeFilter {
  query: string;
  onlyChanged: boolean;
}

export interface PayloadTree {
  element: HTMLElement;
  set(data: TreeData): void;
  filter(filter: TreeFilter): void;
  expandAll(): void;
  collapseAll(): void;
  /** Opens the branches down to `pointer`, scrolls to it and focuses it; false when it is not shown. */
  reveal(pointer: string): boolean;
}

const isBranch = (value: unknown): value is Record<string, unknown> | unknown[] => typeof value === 'object' && value !== null;

function entries(value: Record<string, unknown> | unknown[]): [string, unknown][] {
  return Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
}

export function createPayloadTree(label: string): PayloadTree {
  const list = h('ul', { class: 'tree', attrs: { 'aria-label': label } });
  const legend = h('div', { class: 'legend' });
  const dropped = h('div', { class: 'dropped' });
  const element = h('div', { class: 'tree-view' }, legend, list, dropped);

  let data: TreeData = { payload: {}, changes: [], raw: false };
  let byPointer = new Map<string, FieldChange>();
  /** Pointers of branches that hold a changed field somewhere below. */
  let changedAncestors = new Set<string>();
  let active: TreeFilter = { query: '', onlyChanged: false };
  const expanded = new Set<string>();
  const seenTop = new Set<string>();
  /** Branches the person closed while a filter forces matches open. */
  let closedWhileFiltering = new Set<string>();
  let idCounter = 0;

  const filtering = (): boolean => active.query !== '' || active.onlyChanged;

  function selfMatches(key: string, value: unknown, pointer: string): boolean {
    if (active.onlyChanged && !byPointer.has(pointer)) return false;
    if (active.query === '') return true;
    const q = active.query.toLowerCase();
    return key.toLowerCase().includes(q) || (!isBranch(value) && formatValue(value).toLowerCase().includes(q));
  }

  function subtreeMatches(key: string, value: unknown, pointer: string): boolean {
    if (selfMatches(key, value, pointer)) return true;
    if (!isBranch(value)) return false;
    if (active.onlyChanged && !changedAncestors.has(pointer)) return false;
    return entries(value).some(([k, v]) => subtreeMatches(k, v, childPointer(pointer, k)));
  }

  function badge(change: FieldChange): HTMLElement {
    return h('span', { class: `badge action-${change.action}`, attrs: { title: describeAction(change.action, data.raw) } }, change.action);
  }

  function was(change: FieldChange, key: string): HTMLElement | null {
    if (data.raw || change.raw === undefined) return null;
    return h(
      'details',
      { class: 'was' },
      h('summary', { attrs: { 'aria-label': wasName(key) } }, 'was'),
      h('span', { class: 'was-value' }, formatValue(change.raw)),
      h('span', { class: 'local-note' }, wasNote),
    );
  }

  function leafRow(key: string, value: unknown, change: FieldChange | undefined, match: boolean): HTMLElement {
    const kind = value === null ? 'null' : typeof value;
    return h(
      'div',
      { class: `row${change ? ' changed' : ''}${match && filtering() ? ' match' : ''}` },
      h('span', { class: 'key' }, key),
      h('span', { class: `value value-${kind}` }, formatValue(value)),
      change && badge(change),
      change && was(change, key),
    );
  }

  /** Builds one node, or null when the filter hides it. `showAll`: an ancestor matched. */
  function node(key: string, value: unknown, pointer: string, showAll: boolean): HTMLLIElement | null {
    const match = showAll || selfMatches(key, value, pointer);
    if (!match && !(filtering() && subtreeMatches(key, value, pointer))) return null;
    const change = byPointer.get(pointer);
    const li = h('li', { attrs: { 'data-pointer': pointer, 'data-action': change?.action } });
    if (!isBranch(value)) {
      li.append(leafRow(key, value, change, match));
      return li;
    }
    const forcedOpen = filtering() && !match && !closedWhileFiltering.has(pointer);
    const open = expanded.has(pointer) || forcedOpen;
    const childId = `tree-${++idCounter}`;
    const size = Array.isArray(value) ? `[${value.length}]` : `{${Object.keys(value).length}}`;
    const toggle = h(
      'button',
      { class: 'toggle', attrs: { type: 'button', 'aria-expanded': String(open), 'aria-controls': open ? childId : undefined } },
      h('span', { class: 'caret', attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'key' }, key),
      h('span', { class: 'size' }, size),
    );
    const row = h(
      'div',
      { class: `row branch${change ? ' changed' : ''}${match && filtering() ? ' match' : ''}` },
      toggle,
      change && badge(change),
      change && was(change, key),
    );
    li.append(row);
    const fillChildren = (): void => {
      const ul = h('ul', { attrs: { id: childId, role: 'group' } });
      for (const [k, v] of entries(value)) {
        const child = node(k, v, childPointer(pointer, k), match && filtering());
        if (child) ul.append(child);
      }
      li.append(ul);
    };
    if (open) fillChildren();
    toggle.addEventListener('click', () => {
      const nowOpen = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(nowOpen));
      // aria-controls names the group only while it exists.
      if (nowOpen) toggle.setAttribute('aria-controls', childId);
      else toggle.removeAttribute('aria-controls');
      if (nowOpen) {
        expanded.add(pointer);
        closedWhileFiltering.delete(pointer);
        fillChildren();
      } else {
        expanded.delete(pointer);
        if (filtering()) closedWhileFiltering.add(pointer);
        li.querySelector(':scope > ul')?.remove();
      }
    });
    return li;
  }

  function renderLegend(): void {
    const counts = new Map<ChangeAction, number>();
    for (const change of data.changes) counts.set(change.action, (counts.get(change.action) ?? 0) + 1);
    if (data.asSent === true) {
      legend.replaceChildren(h('p', {}, 'Exactly as it was sent.'));
      return;
    }
    if (data.changes.length === 0) {
      legend.replaceChildren(h('p', {}, 'The anonymizer changed no field in this payload.'));
      return;
    }
    const summary = h(
      'p',
      {},
      data.raw
        ? `Before sending, the anonymizer changes ${data.changes.length} fields: `
        : `The anonymizer changed ${data.changes.length} fields: `,
    );
    [...counts].forEach(([action, count], index) => {
      if (index > 0) summary.append(', ');
      summary.append(h('span', { class: `badge action-${action}` }, action), ` ${count}`);
    });
    summary.append('.');
    // The meanings are on the page, not only in a tooltip a keyboard or touch user never sees.
    const meanings = h(
      'dl',
      { class: 'meanings' },
      ...[...counts.keys()].flatMap((action) => [
        h('dt', {}, h('span', { class: `badge action-${action}` }, action)),
        h('dd', {}, actionMeaning(action)),
      ]),
    );
    legend.replaceChildren(summary, meanings);
  }

  function renderDropped(): void {
    dropped.replaceChildren();
    const missing = data.changes.filter((change) => !resolve(data.payload, change.path).found);
    if (missing.length === 0) return;
    dropped.append(
      h('h3', {}, 'Removed before sending'),
      h(
        'ul',
        { class: 'tree' },
        ...missing.map((change) =>
          h(
            'li',
            { attrs: { 'data-pointer': change.path, 'data-action': change.action } },
            h('div', { class: 'row changed' }, h('span', { class: 'key' }, change.path), badge(change), was(change, change.path)),
          ),
        ),
      ),
    );
  }

  function render(): void {
    idCounter = 0;
    list.replaceChildren();
    if (isBranch(data.payload)) {
      for (const [key, value] of entries(data.payload)) {
        const child = node(key, value, childPointer('', key), false);
        if (child) list.append(child);
      }
    }
    if (list.childElementCount === 0) list.append(h('li', { class: 'empty' }, filtering() ? 'No field matches.' : 'Empty payload.'));
    renderLegend();
    renderDropped();
  }

  function allBranches(value: unknown, pointer: string, out: string[]): string[] {
    if (!isBranch(value)) return out;
    if (pointer !== '') out.push(pointer);
    for (const [k, v] of entries(value)) allBranches(v, childPointer(pointer, k), out);
    return out;
  }

  return {
    element,
    set(next) {
      data = next;
      byPointer = new Map(next.changes.map((change) => [change.path, change]));
      changedAncestors = new Set(next.changes.flatMap((change) => ancestors(change.path)));
      // Top-level sections start open, including ones a higher level adds later.
      if (isBranch(next.payload)) {
        for (const [key, value] of entries(next.payload)) {
          const pointer = childPointer('', key);
          if (isBranch(value) && !seenTop.has(pointer)) expanded.add(pointer);
          seenTop.add(pointer);
        }
      }
      render();
    },
    filter(next) {
      active = { query: next.query.trim(), onlyChanged: next.onlyChanged };
      closedWhileFiltering = new Set();
      render();
    },
    expandAll() {
      for (const pointer of allBranches(data.payload, '', [])) expanded.add(pointer);
      closedWhileFiltering = new Set();
      render();
    },
    collapseAll() {
      expanded.clear();
      render();
    },
    reveal(pointer) {
      for (const above of ancestors(pointer)) if (above !== '') expanded.add(above);
      expanded.add(pointer);
      render();
      const li = [...list.querySelectorAll<HTMLElement>('li[data-pointer]')].find((node) => node.dataset['pointer'] === pointer);
      if (li === undefined) return false;
      const target = li.querySelector<HTMLElement>(':scope > .row > .toggle') ?? li;
      if (target === li) li.setAttribute('tabindex', '-1');
      target.scrollIntoView({ block: 'center' });
      target.focus();
      return true;
    },
  };
}
