import type { AgentStatus } from '../main/api.js';

// GET /events as Server-Sent Events read through fetch (EventSource cannot send an
// Authorization header). Reconnects with exponential backoff while it is open.

export interface StatusStreamOptions {
  url: string;
  authorization: string;
  fetch: typeof fetch;
  onStatus: (status: AgentStatus) => void;
  /** The stream gave up for good (the token is refused). */
  onFatal?: (message: string) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Said when the agent refuses the token; retrying will not help. */
export function refusedText(status: number): string {
  return `The agent refused this page's token (HTTP ${status}): it has probably restarted. Open the address it printed again.`;
}

/** Parses complete `data:` events out of `buffer`; returns what is left over. */
export function takeEvents(buffer: string, onData: (data: string) => void): string {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data !== '') onData(data);
  }
  return rest;
}

/** Opens the stream; the returned function closes it for good. */
export function openStatusStream(options: StatusStreamOptions): () => void {
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  let delay = minDelay;
  let closed = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function readOnce(): Promise<void> {
    controller = new AbortController();
    const response = await options.fetch(options.url, {
      headers: { Authorization: options.authorization, Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    // A refused token will not get better by retrying.
    if (response.status === 401 || response.status === 403) {
      closed = true;
      options.onFatal?.(refusedText(response.status));
      return;
    }
    if (!response.ok || response.body === null) throw new Error(`events: HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer = takeEvents(buffer + value, (data) => {
        delay = minDelay;
        try {
          options.onStatus(JSON.parse(data) as AgentStatus);
        } catch {
          // A malformed event is skipped; the next one carries the whole state again.
        }
      });
    }
  }

  function connect(): void {
    timer = null;
    readOnce()
      .catch(() => undefined)
      .finally(() => {
        if (closed) return;
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, maxDelay);
      });
  }

  connect();
  return () => {
    closed = true;
    controller?.abort();
    if (timer !== null) clearTimeout(timer);
  };
}
