import type { AgentStatus } from '../main/api.js';

// GET /events as Server-Sent Events read through fetch (EventSource cannot send an
// Authorization header). Reconnects with exponential backoff while it is open, and says
// whether the agent answers: a killed agent drops the stream, and the next connection
// attempt is refused, so the page knows within a second or so. The agent writes a
// keep-alive comment every 15 s; a stream silent for longer is taken as dead.

/** The agent answers (`up`), does not (`down`), or answers but refuses this page's token (`refused`). */
export type Connection = 'up' | 'down' | 'refused';

export interface StatusStreamOptions {
  url: string;
  authorization: string;
  fetch: typeof fetch;
  onStatus: (status: AgentStatus) => void;
  /** The stream gave up (the token is refused): it stays closed until it is opened again. */
  onFatal?: (message: string) => void;
  /** Called when the connection state changes. */
  onConnection?: (state: Connection) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A stream that carries nothing (not even a keep-alive) for this long is dropped. */
  silenceMs?: number;
}

/** Said when the agent refuses the token; retrying will not help. */
export function refusedText(status: number): string {
  return (
    `The Candor agent at this address refused this page's token (HTTP ${status}): it has restarted with a new one. ` +
    'Open the address it printed (it ends in #token=…), in this tab or another.'
  );
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
  // Short: a person who restarts the agent should see the page come back in seconds.
  const maxDelay = options.maxDelayMs ?? 5_000;
  const silenceMs = options.silenceMs ?? 40_000;
  let delay = minDelay;
  let closed = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let state: Connection | null = null;

  function setState(next: Connection): void {
    if (next === state) return;
    state = next;
    options.onConnection?.(next);
  }

  async function readOnce(): Promise<void> {
    const mine = new AbortController();
    controller = mine;
    let response: Response;
    try {
      response = await options.fetch(options.url, {
        headers: { Authorization: options.authorization, Accept: 'text/event-stream' },
        signal: mine.signal,
      });
    } catch (error) {
      // Nothing answers at the address: the agent is not running (or not yet).
      if (!closed) setState('down');
      throw error;
    }
    // A refused token will not get better by retrying.
    if (response.status === 401 || response.status === 403) {
      closed = true;
      setState('refused');
      options.onFatal?.(refusedText(response.status));
      return;
    }
    if (!response.ok || response.body === null) {
      setState('down');
      throw new Error(`events: HTTP ${response.status}`);
    }
    setState('up');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let watchdog = setTimeout(() => mine.abort(), silenceMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => mine.abort(), silenceMs);
        buffer = takeEvents(buffer + value, (data) => {
          delay = minDelay;
          try {
            options.onStatus(JSON.parse(data) as AgentStatus);
          } catch {
            // A malformed event is skipped; the next one carries the whole state again.
          }
        });
      }
    } finally {
      clearTimeout(watchdog);
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
