import type { Aggregates, CounterAggregate, ErrorGroup, SourceAggregates } from '../aggregates-types.js';
import { dimTitle, distributionChart, timersTable } from './charts.js';
import { byId, formatCount, h } from './dom.js';

// The collector's dashboard. The admin token arrives in the URL fragment (#token=...),
// which never reaches a server or a log; it is moved to sessionStorage (this tab only,
// gone when the tab closes, never localStorage) and removed from the address bar, so
// a reload keeps working and the token is not left on screen.

const TOKEN_KEY = 'candor-collector-token';

function takeToken(): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (location.hash !== '') history.replaceState(null, '', `${location.pathname}${location.search}`);
  if (fromUrl !== null && /^[\x21-\x7e]{16,256}$/.test(fromUrl)) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

class Refused extends Error {}

async function fetchText(token: string, path: string): Promise<string> {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  const text = await response.text();
  if (response.status === 401) throw new Refused('The collector refused the admin token. Open the address with #token=… again.');
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      /* not JSON: show the text */
    }
    throw new Error(`${response.status}: ${message}`);
  }
  return text;
}

function query(): string {
  const days = (byId('window') as HTMLSelectElement).value;
  return days === '' ? '' : `?days=${days}`;
}

function countersTable(counters: readonly CounterAggregate[]): HTMLElement {
  if (counters.length === 0) return h('p', { class: 'empty' }, 'no counter backed by enough instances');
  const body = h('tbody');
  for (const c of counters)
    body.append(
      h(
        'tr',
        { 'data-metric': c.metric },
        h('th', { scope: 'row' }, c.metric),
        h('td', {}, formatCount(c.reports)),
        h('td', {}, formatCount(c.total)),
      ),
    );
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'counter'), h('th', { scope: 'col' }, 'instances'), h('th', { scope: 'col' }, 'total')),
    ),
    body,
  );
}

function errorsTable(errors: readonly ErrorGroup[]): HTMLElement {
  if (errors.length === 0) return h('p', { class: 'empty' }, 'no error group backed by enough instances');
  const body = h('tbody');
  for (const e of errors) {
    const versions = e.versions.map((v) => `${v.value} (${v.reports})`).join(', ');
    const hidden = e.suppressed_versions > 0 ? ` + ${e.suppressed_versions} below the threshold` : '';
    body.append(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('code', {}, e.type), e.code === '' ? null : h('span', { class: 'code' }, ` ${e.code}`)),
        h('td', {}, h('code', {}, e.message)),
        h('td', {}, h('code', {}, e.top_frame)),
        h('td', {}, formatCount(e.reports)),
        h('td', {}, formatCount(e.count)),
        h('td', {}, `${versions}${hidden}`),
      ),
    );
  }
  return h(
    'table',
    { class: 'errors' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['type / code', 'message', 'top frame', 'instances', 'occurrences', 'versions'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    body,
  );
}

function sourceSection(source: SourceAggregates): HTMLElement {
  return h(
    'section',
    { class: 'source', 'data-source': source.name },
    h('h3', {}, `${source.name} — ${formatCount(source.reports)} instances`),
    h('div', { class: 'grid' }, ...source.distributions.map(distributionChart)),
    h('h4', {}, 'Timers'),
    timersTable(source.timers),
    h('h4', {}, 'Counters'),
    countersTable(source.counters),
    h('h4', {}, 'Error groups'),
    errorsTable(source.errors),
  );
}

function render(a: Aggregates): void {
  const totals = byId('totals');
  totals.replaceChildren(
    h('dt', {}, 'reports'),
    h('dd', { id: 'total-reports' }, formatCount(a.reports)),
    h('dt', {}, 'instances'),
    h('dd', { id: 'total-instances' }, formatCount(a.instances)),
    h('dt', {}, 'threshold'),
    h('dd', {}, `groups of fewer than ${a.min_group_size} instances are not shown (${formatCount(a.suppressed)} left out)`),
  );
  byId('distributions').replaceChildren(...a.distributions.filter((d) => d.dim !== 'source' || d.cells.length > 0).map(distributionChart));
  byId('timers').replaceChildren(timersTable(a.timers));
  byId('counters').replaceChildren(countersTable(a.counters));
  byId('errors').replaceChildren(errorsTable(a.errors));
  byId('sources').replaceChildren(
    ...(a.sources.length === 0
      ? [h('p', { class: 'empty' }, `no source backed by enough instances (${dimTitle('source')})`)]
      : a.sources.map(sourceSection)),
  );
}

function save(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name, hidden: '' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function start(): void {
  const status = byId('status');
  const error = byId('error');
  const token = takeToken();
  if (token === null) {
    error.textContent = 'No admin token. Open the address the collector printed, with #token=<admin token> at the end.';
    return;
  }
  let refused = false;
  const fail = (e: unknown): void => {
    if (e instanceof Refused) {
      refused = true;
      sessionStorage.removeItem(TOKEN_KEY);
    }
    error.textContent = (e as Error).message;
    status.textContent = '';
  };
  const load = async (): Promise<void> => {
    if (refused) return;
    status.textContent = 'Loading…';
    try {
      const aggregates = JSON.parse(await fetchText(token, `/v1/aggregates${query()}`)) as Aggregates;
      render(aggregates);
      error.textContent = '';
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      document.body.dataset['loaded'] = 'true';
    } catch (e) {
      fail(e);
    }
  };
  byId('window').addEventListener('change', () => void load());
  byId('reload').addEventListener('click', () => void load());
  byId('download-csv').addEventListener('click', () => {
    fetchText(token, `/v1/aggregates.csv${query()}`).then((text) => save('candor-aggregates.csv', 'text/csv', text), fail);
  });
  byId('download-json').addEventListener('click', () => {
    fetchText(token, `/v1/aggregates${query()}`).then((text) => save('candor-aggregates.json', 'application/json', text), fail);
  });
  void load();
}

start();
