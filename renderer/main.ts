import type { AgentApi, AgentStatus } from '../main/api.js';
import { renderCharts } from './charts.js';
import { createDeletionPanel } from './deletion-panel.js';
import { byId, h } from './dom.js';
import { downloadText } from './download.js';
import { createErrorLine } from './error-line.js';
import { createHistoryPanel } from './history-panel.js';
import { createHttpClient, takeTokenFromLocation } from './http-client.js';
import { createStatePanel } from './state-panel.js';
import { createPayloadTree } from './tree.js';

// Entry: wires the panels to window.candor. In Electron the preload provides it
// over IPC; served by the headless agent, the HTTP client does.

declare global {
  interface Window {
    candor?: AgentApi;
  }
}

const SAMPLE_REFRESH_MS = { min: 1_000, max: 30_000 };

const notice = byId('notice');
const errors = createErrorLine(byId('error'), document.querySelector('main') ?? document.body);
const report = (error: unknown): void => errors.report(error);

function connect(): AgentApi | null {
  if (window.candor !== undefined) return window.candor;
  const token = takeTokenFromLocation();
  if (token === null) return null;
  const client = createHttpClient({ origin: location.origin, token, onRefused: (message) => errors.refuse(message) });
  window.candor = client;
  return client;
}

function say(text: string): void {
  errors.clear();
  notice.textContent = text;
}

function selected(name: string): string | null {
  return document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null;
}

function start(api: AgentApi): void {
  const payloadBox = byId('payload');
  const tree = createPayloadTree('Payload fields');
  payloadBox.append(tree.element);
  const search = byId('search') as HTMLInputElement;
  const onlyChanged = byId('only-changed') as HTMLInputElement;
  const exportButton = byId('export') as HTMLButtonElement;
  const rawBanner = byId('raw-banner');

  const level = (): number => Number(selected('level') ?? '2');
  const anonymize = (): boolean => selected('mode') !== 'raw';

  let sequence = 0;
  async function loadPreview(): Promise<void> {
    const mine = ++sequence;
    const raw = !anonymize();
    document.body.classList.toggle('raw-mode', raw);
    rawBanner.hidden = !raw;
    exportButton.textContent = raw ? 'Export raw report (never sent)' : 'Export report';
    payloadBox.setAttribute('aria-busy', 'true');
    try {
      // Raw mode also asks for the anonymized build, to mark what sending would change.
      const [result, sent] = await Promise.all([
        api.preview({ details_level: level(), anonymize: !raw }),
        raw ? api.preview({ details_level: level(), anonymize: true }) : null,
      ]);
      if (mine !== sequence) return; // a newer choice is on its way
      tree.set({ payload: result.payload, changes: sent?.changes ?? result.changes, raw });
      payloadBox.dataset['level'] = String(result.payload.details_level);
      payloadBox.dataset['mode'] = raw ? 'raw' : 'anonymized';
    } catch (error) {
      report(error);
    } finally {
      if (mine === sequence) payloadBox.setAttribute('aria-busy', 'false');
    }
  }

  function markConfigured(configured: number | undefined): void {
    if (configured === undefined) return;
    for (const input of document.querySelectorAll<HTMLInputElement>('input[name="level"]')) {
      const label = input.closest('label');
      label?.querySelector('.configured')?.remove();
      if (Number(input.value) === configured) label?.append(h('span', { class: 'configured' }, ' (configured)'));
    }
  }

  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="level"], input[name="mode"]')) {
    input.addEventListener('change', () => void loadPreview());
  }
  const applyFilter = (): void => tree.filter({ query: search.value, onlyChanged: onlyChanged.checked });
  search.addEventListener('input', applyFilter);
  onlyChanged.addEventListener('change', applyFilter);
  byId('expand-all').addEventListener('click', () => tree.expandAll());
  byId('collapse-all').addEventListener('click', () => tree.collapseAll());
  byId('refresh').addEventListener('click', () => void loadPreview());
  exportButton.addEventListener('click', () => {
    api.exportReport({ details_level: level(), anonymize: anonymize() }).then((result) => {
      if (result.path !== null) say(`Saved ${result.bytes} bytes to ${result.path}.`);
      else if (result.json !== null) {
        downloadText(result.filename, result.json);
        say(`Downloaded ${result.filename} (${result.bytes} bytes).`);
      }
    }, report);
  });

  const history = createHistoryPanel(byId('history'), api, report);
  const deletion = createDeletionPanel(byId('deletion'), api, report);
  const state = createStatePanel(byId('state'), api, report);
  let lastDelivery = '';
  const onStatus = (status: AgentStatus): void => {
    state.render(status);
    markConfigured(status.details_level);
    deletion.setEndpointConfigured(status.deletion_endpoint_configured);
    const delivery = `${status.delivery}/${status.outbox_pending}`;
    if (delivery !== lastDelivery) {
      void history.refresh();
      void deletion.refresh();
    }
    lastDelivery = delivery;
  };
  // The stream is the source of truth; the first fetch only fills in until it speaks.
  let pushed = false;
  api.onStatus((status) => {
    pushed = true;
    onStatus(status);
  });
  api.status({}).then((status) => {
    if (!pushed) onStatus(status);
  }, report);

  // Charts follow the agent's sampling interval, within bounds.
  const charts = byId('charts');
  const refreshSamples = async (): Promise<void> => {
    let delay = SAMPLE_REFRESH_MS.max;
    try {
      if (!document.hidden) {
        const samples = await api.samples({});
        renderCharts(charts, samples);
        delay = Math.min(SAMPLE_REFRESH_MS.max, Math.max(SAMPLE_REFRESH_MS.min, samples.interval_s * 1000));
      }
    } catch (error) {
      report(error);
    }
    if (!errors.refused) setTimeout(() => void refreshSamples(), delay);
  };
  void refreshSamples();

  void loadPreview();
  focusRequestedSection();
  // The tray can ask again while the page is open.
  window.addEventListener('hashchange', focusRequestedSection);
}

/** The desktop shell opens the page at #consent (first run) or #deletion (tray menu). */
function focusRequestedSection(): void {
  const target = location.hash === '#consent' ? 'state' : location.hash === '#deletion' ? 'deletion' : null;
  if (target === null) return;
  for (const other of document.querySelectorAll('.requested')) other.classList.remove('requested');
  const section = byId(target);
  section.scrollIntoView({ block: 'start' });
  section.setAttribute('tabindex', '-1');
  section.focus();
  section.classList.add('requested');
}

const api = connect();
if (api === null) {
  byId('payload').setAttribute('aria-busy', 'false');
  report(
    'No access token. Open the address the Candor agent printed (it ends in #token=…); the token is removed from the address bar after use, so a reload needs that address again.',
  );
} else {
  start(errors.watch(api));
}
