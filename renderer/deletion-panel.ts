import type { AgentApi, DeletionRequest } from '../main/api.js';
import { button, h } from './dom.js';

// Everything needed to ask for deletion: every id this machine sent under, the
// contact, the ready text, and a send button when a deletion endpoint exists.

const deliveryText: Record<DeletionRequest['delivery'], string> = {
  'not-requested': '',
  'not-configured': 'No deletion endpoint is configured: send this text to the contact yourself.',
  queued: 'Queued: it will be retried until the deletion endpoint has it.',
  sent: "Sent to the deletion endpoint. The collector's answer is listed under Sent history.",
  rejected: 'Refused — send the text yourself (the deletion endpoint did not accept the request).',
};

export interface DeletionPanel {
  refresh(): Promise<void>;
  /** From the preview's instance section (level 1 and up); null while unknown. */
  setEndpointConfigured(configured: boolean | null): void;
}

export function createDeletionPanel(
  target: HTMLElement,
  api: AgentApi,
  report: (error: unknown) => void,
  /** This page's request was answered: sent and queued ones get a receipt in the history. */
  onRequested: (delivery: DeletionRequest['delivery']) => void = () => undefined,
): DeletionPanel {
  const status = h('p', { class: 'delivery', attrs: { role: 'status', tabindex: -1 } });
  let endpointConfigured: boolean | null = null;
  let last: { ids: { current: string; ids: string[] }; request: DeletionRequest } | null = null;
  /** The outcome of this page's send and the ids it covered: a refresh must not offer to send them again. */
  let outcome: { delivery: DeletionRequest['delivery']; ids: string } | null = null;

  function render(ids: { current: string; ids: string[] }, request: DeletionRequest): void {
    const text = h('textarea', { attrs: { readonly: true, rows: 8, id: 'deletion-text', spellcheck: 'false' } });
    text.value = request.text;
    const copy = button('Copy text', () => {
      text.select();
      navigator.clipboard.writeText(request.text).then(
        () => (status.textContent = 'Copied.'),
        () => (status.textContent = 'Select the text and copy it yourself.'),
      );
    });
    // Without ids there is nothing to delete; without an endpoint the person sends the text;
    // once these ids were sent, queued or refused, sending them again would only repeat that.
    const settled = outcome !== null && outcome.ids === request.ids.join(' ') ? outcome.delivery : null;
    const canSend = request.ids.length > 0 && endpointConfigured !== false && request.delivery !== 'not-configured' && settled === null;
    const send: HTMLButtonElement | null = canSend
      ? button('Send deletion request', () => void sendRequest(send), { class: 'primary', attrs: { 'data-action': 'send-deletion' } })
      : null;
    status.textContent =
      request.ids.length === 0
        ? 'Nothing has been sent from this machine yet, so there is nothing to delete.'
        : endpointConfigured === false
          ? deliveryText['not-configured']
          : deliveryText[settled ?? request.delivery];
    const all = [...new Set([ids.current, ...ids.ids, ...request.ids])];
    target.replaceChildren(
      h('h3', {}, 'Ids this machine has sent under'),
      h(
        'ul',
        { class: 'ids mono' },
        ...all.map((id) => h('li', {}, id, id === ids.current ? h('span', { class: 'muted' }, ' (this run)') : null)),
      ),
      h(
        'p',
        {},
        'Contact: ',
        request.contact ? h('span', { class: 'mono' }, request.contact) : h('span', { class: 'muted' }, 'none configured'),
      ),
      h('label', { attrs: { for: 'deletion-text' } }, 'Deletion request'),
      text,
      h('div', { class: 'button-row' }, copy, send),
      status,
    );
  }

  async function sendRequest(send: HTMLButtonElement | null): Promise<void> {
    // Disabled at once, so a double click cannot queue a second request.
    if (send === null || send.disabled) return;
    send.disabled = true;
    try {
      const request = await api.requestDeletion({ send: true });
      status.textContent = deliveryText[request.delivery] || 'Requested.';
      if (request.delivery === 'not-requested') send.disabled = false;
      else {
        outcome = { delivery: request.delivery, ids: request.ids.join(' ') };
        status.focus();
        send.remove();
      }
      onRequested(request.delivery);
    } catch (error) {
      send.disabled = false;
      report(error);
    }
  }

  async function refresh(): Promise<void> {
    try {
      const [ids, request] = await Promise.all([api.instanceIds({}), api.requestDeletion({ send: false })]);
      last = { ids, request };
      render(ids, request);
    } catch (error) {
      report(error);
    }
  }

  function setEndpointConfigured(configured: boolean | null): void {
    if (configured === endpointConfigured) return;
    endpointConfigured = configured;
    if (last !== null) render(last.ids, last.request);
  }

  return { refresh, setEndpointConfigured };
}
