import type { AgentApi, AgentStatus, CallInput, CallName, CallOutputs } from '../main/api.js';
import { queryString, routes } from './routes.js';
import { openStatusStream } from './status-stream.js';

// window.candor over the headless agent's loopback HTTP API (main/transport/http.ts).
// Responses use Qdrant's envelope: {result, status: "ok", time} or {status: {error}, time}.

export interface HttpClientOptions {
  origin: string;
  token: string;
  fetch?: typeof fetch;
  /** Called when the status stream stops for good. */
  onStreamError?: (message: string) => void;
}

interface Envelope {
  result?: unknown;
  status?: unknown;
}

function errorOf(body: Envelope | null, response: Response): string {
  const status = body?.status;
  if (typeof status === 'object' && status !== null && 'error' in status && typeof status.error === 'string') return status.error;
  return `HTTP ${response.status} ${response.statusText}`.trim();
}

export function createHttpClient(options: HttpClientOptions): AgentApi {
  const doFetch = options.fetch ?? window.fetch.bind(window);
  const authorization = `Bearer ${options.token}`;

  async function call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutputs[N]> {
    const route = routes[name];
    const args: object = input ?? {};
    const init: RequestInit = { method: route.method, headers: { Authorization: authorization }, cache: 'no-store' };
    let url = `${options.origin}${route.path}`;
    if (route.method === 'GET') {
      url += queryString(args);
    } else {
      init.headers = { Authorization: authorization, 'Content-Type': 'application/json' };
      init.body = JSON.stringify(args);
    }
    const response = await doFetch(url, init);
    const body = (await response.json().catch(() => null)) as Envelope | null;
    if (!response.ok || body === null || body.status !== 'ok') throw new Error(`${name}: ${errorOf(body, response)}`);
    // The agent validated the output against the same contract; the envelope carries it as is.
    return body.result as CallOutputs[N];
  }

  const listeners = new Set<(status: AgentStatus) => void>();
  let stopStream: (() => void) | null = null;

  function onStatus(listener: (status: AgentStatus) => void): () => void {
    listeners.add(listener);
    stopStream ??= openStatusStream({
      url: `${options.origin}/events`,
      authorization,
      fetch: doFetch,
      onFatal: options.onStreamError,
      onStatus: (status) => {
        for (const each of [...listeners]) each(status);
      },
    });
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && stopStream !== null) {
        stopStream();
        stopStream = null;
      }
    };
  }

  const methods = Object.fromEntries(
    (Object.keys(routes) as CallName[]).map((name) => [name, (input: CallInput<typeof name>) => call(name, input)]),
  );
  // One generic method per entry of the route table, which TypeScript checks covers every call.
  return { ...methods, onStatus } as unknown as AgentApi;
}

/**
 * Reads the token from `#token=<hex>` once and removes it from the address bar,
 * so it is not left visible (or in a screenshot, or in the history list).
 */
export function takeTokenFromLocation(): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (location.hash !== '') history.replaceState(null, '', `${location.pathname}${location.search}`);
  return token !== null && /^[0-9a-f]+$/i.test(token) ? token : null;
}
