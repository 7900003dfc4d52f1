import type { AgentApi, AgentStatus, CallInput, CallName, CallOutputs } from '../main/api.js';
import { queryString, routes } from './routes.js';
import { openStatusStream, refusedText, type Connection } from './status-stream.js';

// window.candor over the headless agent's loopback HTTP API (main/transport/http.ts).
// Responses use Qdrant's envelope: {result, status: "ok", time} or {status: {error}, time}.

export interface HttpClientOptions {
  origin: string;
  token: string;
  fetch?: typeof fetch;
  /** Called when the agent refuses the token (stream or call): the client stops until `useToken`. */
  onRefused?: (message: string) => void;
}

/** window.candor over HTTP, plus what only a remote agent has: a connection that can drop, and a token that can change. */
export interface HttpAgentApi extends AgentApi {
  /** Connection changes, seen on the status stream (and on calls refused for the token). */
  onConnection(listener: (state: Connection) => void): () => void;
  /** A new token (the agent restarted and the person opened its new address): the stream reopens with it. */
  useToken(token: string): void;
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

/** The agent did not answer at all (stopped, restarting, or the network is down). */
export class AgentUnreachable extends Error {
  override name = 'AgentUnreachable';
}

export function createHttpClient(options: HttpClientOptions): HttpAgentApi {
  const doFetch = options.fetch ?? window.fetch.bind(window);
  let authorization = `Bearer ${options.token}`;

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
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch {
      // fetch's own TypeError ("Failed to fetch") names neither the call nor the agent.
      throw new AgentUnreachable(`${name}: cannot reach the Candor agent at ${options.origin}`);
    }
    if (response.status === 401 || response.status === 403) refused(refusedText(response.status));
    const body = (await response.json().catch(() => null)) as Envelope | null;
    if (!response.ok || body === null || body.status !== 'ok') throw new Error(`${name}: ${errorOf(body, response)}`);
    // The agent validated the output against the same contract; the envelope carries it as is.
    return body.result as CallOutputs[N];
  }

  const listeners = new Set<(status: AgentStatus) => void>();
  const connectionListeners = new Set<(state: Connection) => void>();
  let stopStream: (() => void) | null = null;
  let gaveUp = false;

  const tellConnection = (state: Connection): void => {
    for (const each of [...connectionListeners]) each(state);
  };

  /** A refused token is final until a new one comes, whichever request saw it first: the stream stops retrying too. */
  function refused(message: string): void {
    if (gaveUp) return;
    gaveUp = true;
    stopStream?.();
    stopStream = null;
    tellConnection('refused');
    options.onRefused?.(message);
  }

  function openStream(): void {
    if (gaveUp || stopStream !== null || listeners.size === 0) return;
    stopStream = openStatusStream({
      url: `${options.origin}/events`,
      authorization,
      fetch: doFetch,
      onFatal: refused,
      onConnection: (state) => {
        if (state !== 'refused') tellConnection(state);
      },
      onStatus: (status) => {
        for (const each of [...listeners]) each(status);
      },
    });
  }

  function onStatus(listener: (status: AgentStatus) => void): () => void {
    listeners.add(listener);
    openStream();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && stopStream !== null) {
        stopStream();
        stopStream = null;
      }
    };
  }

  function onConnection(listener: (state: Connection) => void): () => void {
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  }

  function useToken(token: string): void {
    authorization = `Bearer ${token}`;
    gaveUp = false;
    stopStream?.();
    stopStream = null;
    openStream();
  }

  const methods = Object.fromEntries(
    (Object.keys(routes) as CallName[]).map((name) => [name, (input: CallInput<typeof name>) => call(name, input)]),
  );
  // One generic method per entry of the route table, which TypeScript checks covers every call.
  return { ...methods, onStatus, onConnection, useToken } as unknown as HttpAgentApi;
}
