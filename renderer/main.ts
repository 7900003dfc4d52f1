import type { AgentApi, AgentStatus } from '../main/api.js';
import { renderCharts } from './charts.js';
import { createDeletionPanel } from './deletion-panel.js';
import { byId, h } from './dom.js';
import { downloadText } from './download.js';
import { createErrorLine } from './error-line.js';
import { createHistoryPanel } from './history-panel.js';
import { createHttpClient, type HttpAgentApi } from './http-client.js';
import { createSourcesPanel, type SourcesPanel } from './sources-panel.js';
import { createStatePanel } from './state-panel.js';
import { currentToken, forgetToken, takeTokenFromAddress } from './token-store.js';
import { createPayloadTree } from './tree.js';

// Entry: wires the panels to window.candor. In Electron the preload provides it
// over IPC; served by the headless agent, the HTTP client does, and the page follows
// whether that agent answers.

declare global {
  interface Window {
    candor?: AgentApi;
  }
}

const SAMPLE_REFRESH_MS = { min: 1_000, max: 30_000 };

const notice = byId('notice');
const errors = createErrorLine(byId('error'), document.querySelector('main') ?? document.body);
const report = (error: unknown): void => errors.report(error);

interface Connected {
  api: AgentApi;
  /** The HTTP client when the page is served by the headless agent; null in the desktop app. */
  http: HttpAgentApi | null;
}

function connect(): Connected | null {
  if (window.candor !== undefined) return { api: window.candor, http: null };
  const token = currentToken();
  if (token === null) return null;
  const client = createHttpClient({
    origin: location.origin,
    token,
    onRefused: (message) => {
      // A reload must not try a token the agent refuses.
      forgetToken();
      errors.refuse(message);
    },
  });
  window.candor = client;
  return { api: client, http: client };
}

function say(text: string): void {
  errors.clear();
  notice.textContent = text;
}

function selected(name: string): string | null {
  return document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null;
}

function start(api: AgentApi, http: HttpAgentApi | null): void {
  const payloadBox = byId('payload');
  const tree = createPayloadTree('Payload fields');
  payloadBox.append(tree.element);
  const search = byId('search') as HTMLInputElement;
  const onlyChanged = byId('only-changed') as HTMLInputElement;
  const exportButton = byId('export') as HTMLButtonElement;
  const rawBanner = byId('raw-banner');
  const levelNote = byId('level-note');
  const levelInputs = [...document.querySelectorAll<HTMLInputElement>('input[name="level"]')];

  // The tree shows the level that is sent until the person picks another; until the
  // agent has said which level that is, there is nothing to show.
  let sentLevel: number | null = null;
  let chosenLevel: number | null = null;
  const level = (): number | null => chosenLevel ?? sentLevel;
  const anonymize = (): boolean => selected('mode') !== 'raw';

  function showLevel(): void {
    const shown = level();
    for (const input of levelInputs) {
      input.checked = Number(input.value) === shown;
      const label = input.closest('label');
      label?.querySelector('.sent-level')?.remove();
      if (Number(input.value) === sentLevel) label?.append(h('span', { class: 'sent-level' }, ' (sent)'));
    }
    levelNote.dataset['preview'] = String(shown !== sentLevel);
    levelNote.textContent =
      sentLevel === null
        ? ''
        : shown === sentLevel
          ? `Level ${sentLevel} is the level this agent sends: this is the report it would send now.`
          : `Preview only: reports are sent at level ${sentLevel}, not at the level ${shown ?? ''} shown here.`;
  }

  function followSentLevel(): void {
    chosenLevel = null;
    showLevel();
    void loadPreview();
  }

  // Set below, once the panel exists: it asks for a new preview when an answer changes.
  let sources: SourcesPanel | null = null;
  let sequence = 0;
  let previewQueued: Promise<void> | null = null;
  /** Previews asked for in one turn (a first status, and the app list it brings) are built once. */
  function loadPreview(): Promise<void> {
    previewQueued ??= Promise.resolve().then(() => {
      previewQueued = null;
      return buildPreview();
    });
    return previewQueued;
  }
  async function buildPreview(): Promise<void> {
    const shownLevel = level();
    if (shownLevel === null) return;
    const mine = ++sequence;
    const raw = !anonymize();
    document.body.classList.toggle('raw-mode', raw);
    rawBanner.hidden = !raw;
    exportButton.textContent = raw ? 'Export raw report (never sent)' : 'Export report';
    payloadBox.setAttribute('aria-busy', 'true');
    try {
      // Raw mode also asks for the anonymized build, to mark what sending would change.
      const [result, sent] = await Promise.all([
        api.preview({ details_level: shownLevel, anonymize: !raw }),
        raw ? api.preview({ details_level: shownLevel, anonymize: true }) : null,
      ]);
      if (mine !== sequence) return; // a newer choice is on its way
      tree.set({ payload: result.payload, changes: sent?.changes ?? result.changes, raw });
      payloadBox.dataset['level'] = String(result.payload.details_level);
      payloadBox.dataset['mode'] = raw ? 'raw' : 'anonymized';
      // Pending apps are shown like the payload: raw or anonymized, marked with what sending would change.
      sources?.setPreview({
        level: result.payload.details_level,
        raw,
        pending: result.pending.sources,
        sent: (sent ?? result).pending,
        inPayload: (result.payload.sources ?? []).map((source) => source.name),
      });
    } catch (error) {
      report(error);
    } finally {
      if (mine === sequence) payloadBox.setAttribute('aria-busy', 'false');
    }
  }

  for (const input of levelInputs) {
    input.addEventListener('change', () => {
      const picked = Number(input.value);
      chosenLevel = picked === sentLevel ? null : picked;
      showLevel();
      void loadPreview();
    });
  }
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="mode"]')) {
    input.addEventListener('change', () => void loadPreview());
  }
  const applyFilter = (): void => tree.filter({ query: search.value, onlyChanged: onlyChanged.checked });
  search.addEventListener('input', applyFilter);
  onlyChanged.addEventListener('change', applyFilter);
  byId('expand-all').addEventListener('click', () => tree.expandAll());
  byId('collapse-all').addEventListener('click', () => tree.collapseAll());
  byId('refresh').addEventListener('click', () => {
    void loadPreview();
    void sources?.refresh();
  });
  exportButton.addEventListener('click', () => {
    const shownLevel = level();
    if (shownLevel === null) return;
    api.exportReport({ details_level: shownLevel, anonymize: anonymize() }).then((result) => {
      if (result.path !== null) say(`Saved ${result.bytes} bytes to ${result.path}.`);
      else if (result.json !== null) {
        downloadText(result.filename, result.json);
        say(`Downloaded ${result.filename} (${result.bytes} bytes).`);
      }
    }, report);
  });

  const history = createHistoryPanel(byId('history'), api, report);
  // A request delivered at once shows its receipt now; a queued one when the status says it left.
  const deletion = createDeletionPanel(byId('deletion'), api, report, (delivery) => {
    if (delivery === 'sent') void history.refresh();
  });
  const state = createStatePanel(byId('state'), api, report, {
    showSentLevel: () => followSentLevel(),
  });
  const apps = createSourcesPanel(byId('sources'), byId('sources-waiting'), api, report, {
    reloadPreview: () => void loadPreview(),
    reveal: (pointer) => tree.reveal(pointer),
  });
  sources = apps;
  let lastDelivery = '';
  const onStatus = (status: AgentStatus): void => {
    state.render(status);
    if (status.details_level !== sentLevel) {
      sentLevel = status.details_level;
      showLevel();
      if (chosenLevel === null) void loadPreview();
    }
    deletion.setEndpointConfigured(status.deletion_endpoint_configured);
    apps.setStatus(status);
    const delivery = `${status.delivery}/${status.outbox_pending}/${status.deletions_pending}`;
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
  let samplesRunning = false;
  const refreshSamples = async (): Promise<void> => {
    samplesRunning = true;
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
    if (errors.refused) samplesRunning = false;
    else setTimeout(() => void refreshSamples(), delay);
  };
  void refreshSamples();

  // Served over HTTP, the agent can stop and come back: the page says so, and catches up.
  let wasUp = true;
  http?.onConnection((connection) => {
    state.setConnection(connection, location.origin);
    apps.setConnection(connection);
    document.body.dataset['agent'] = connection;
    if (connection !== 'up') {
      wasUp = false;
      return;
    }
    if (wasUp) return;
    wasUp = true;
    errors.recover();
    void loadPreview();
    void history.refresh();
    void deletion.refresh();
    void apps.refresh();
    if (!samplesRunning) void refreshSamples();
  });

  focusRequestedSection();
  window.addEventListener('hashchange', () => {
    // The person opened the address a restarted agent printed, in this tab.
    const token = takeTokenFromAddress();
    if (token !== null) http?.useToken(token);
    // The tray can ask again while the page is open.
    focusRequestedSection();
  });
}

const REQUESTED_SECTIONS: Record<string, string> = { '#consent': 'state', '#deletion': 'deletion', '#sources': 'sources' };

/** The desktop shell opens the page at #consent (first run), #deletion or #sources (tray menu). */
function focusRequestedSection(): void {
  const target = REQUESTED_SECTIONS[location.hash] ?? null;
  if (target === null) return;
  for (const other of document.querySelectorAll('.requested')) other.classList.remove('requested');
  const section = byId(target);
  section.scrollIntoView({ block: 'start' });
  section.setAttribute('tabindex', '-1');
  section.focus();
  section.classList.add('requested');
}

function boot(): void {
  const connected = connect();
  if (connected !== null) {
    start(errors.watch(connected.api), connected.http);
    return;
  }
  byId('payload').setAttribute('aria-busy', 'false');
  report(
    'No access token. Open the address the Candor agent printed (it ends in #token=…). This tab then keeps the token for reloads; another tab needs the address again.',
  );
  // The address may be pasted into this very tab, which only changes its fragment.
  const retry = (): void => {
    if (!/(^#|&)token=/.test(location.hash)) return;
    window.removeEventListener('hashchange', retry);
    errors.clear();
    boot();
  };
  window.addEventListener('hashchange', retry);
}

boot();
