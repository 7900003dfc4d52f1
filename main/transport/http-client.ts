import { request } from 'node:http';
import { calls, type AgentApi, type CallName } from '../api.js';
import { readApiToken } from '../util/api-token.js';
import { liveLock, type LockInfo } from '../util/instance-lock.js';

// The other end of main/transport/http.ts, for processes on this machine (the CLI):
// finds the agent that holds a data directory's lock, and calls the AgentApi over its
// loopback API, one function per entry of the `calls` table.

/** The AgentApi calls a remote process can make (state pushes need the SSE stream, not offered here). */
export type RemoteApi = Omit<AgentApi, 'onStatus'>;

export interface AgentEndpoint {
  pid: number;
  port: number;
  token: string;
  /** http://127.0.0.1:<port>/ */
  url: string;
}

export type RunningAgent =
  | { kind: 'none' }
  /** A live agent without a loopback API (the desktop app, or one still starting up). */
  | { kind: 'no-api'; lock: LockInfo }
  | { kind: 'api'; lock: LockInfo; endpoint: AgentEndpoint };

/**
 * The call never reached the agent, or its answer never came back: the agent is gone or
 * hung. `delivered` says whether the agent may have acted on it ('unknown' after the
 * request was sent), so a caller knows whether doing the same thing itself is safe.
 */
export class AgentUnreachableError extends Error {
  override name = 'AgentUnreachableError';
  constructor(
    message: string,
    readonly delivered: false | 'unknown',
  ) {
    super(message);
  }
}

/** The agent answered, with an error status: the message is the agent's own. */
export class AgentCallError extends Error {
  override name = 'AgentCallError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const STARTUP_WAIT_MS = 5000;
const STARTUP_WINDOW_MS = 30_000;

/**
 * The agent running on `dataDir`, if any. An agent that has taken the lock in the last
 * half minute but not yet written its port is waited for (up to 5 s); after that, a live
 * lock without a port is an agent without a loopback API (the desktop app).
 */
export async function findRunningAgent(dataDir: string): Promise<RunningAgent> {
  const deadline = Date.now() + STARTUP_WAIT_MS;
  for (;;) {
    const lock = liveLock(dataDir);
    if (lock === null) return { kind: 'none' };
    const token = readApiToken(dataDir);
    if (lock.port !== null && token !== null) {
      return { kind: 'api', lock, endpoint: { pid: lock.pid, port: lock.port, token, url: `http://127.0.0.1:${lock.port}/` } };
    }
    const startedAt = Date.parse(lock.started_at);
    const starting = Number.isFinite(startedAt) && Date.now() - startedAt < STARTUP_WINDOW_MS;
    if (!starting || Date.now() > deadline) return { kind: 'no-api', lock };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface RemoteOptions {
  /** How long one call may take before the agent counts as hung (default 15 s). */
  timeoutMs?: number;
}

function queryString(input: unknown): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries((input ?? {}) as Record<string, unknown>)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

interface Envelope {
  result?: unknown;
  status?: unknown;
}

function errorOf(envelope: Envelope | null, status: number): string {
  const detail = envelope?.status;
  if (typeof detail === 'object' && detail !== null && typeof (detail as { error?: unknown }).error === 'string')
    return (detail as { error: string }).error;
  return `HTTP ${status}`;
}

/** One request to the agent; resolves with the envelope's `result`. */
function call(endpoint: AgentEndpoint, name: CallName, input: unknown, timeoutMs: number): Promise<unknown> {
  const { method, path } = calls[name].http;
  const body = method === 'POST' ? JSON.stringify(input ?? {}) : null;
  const who = `the agent (pid ${endpoint.pid}, ${endpoint.url})`;
  return new Promise((resolve, reject) => {
    let sent = false;
    const req = request(
      {
        host: '127.0.0.1',
        port: endpoint.port,
        method,
        path: method === 'GET' ? `${path}${queryString(input)}` : path,
        // One connection per call: nothing lingers to keep a short-lived CLI alive.
        agent: false,
        headers: {
          Host: `127.0.0.1:${endpoint.port}`,
          Authorization: `Bearer ${endpoint.token}`,
          ...(body === null ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          reject(new AgentUnreachableError(`${who} stopped answering during ${name}: ${error.message}`, 'unknown')),
        );
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          let envelope: Envelope | null = null;
          try {
            envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope;
          } catch {
            envelope = null;
          }
          if (status === 401) {
            reject(new AgentCallError(`${who} refused the API token in the data directory: was it restarted just now? Try again.`, status));
            return;
          }
          if (status < 200 || status >= 300 || envelope === null) {
            reject(new AgentCallError(`${who} answered ${name} with an error: ${errorOf(envelope, status)}`, status));
            return;
          }
          resolve(envelope.result);
        });
      },
    );
    req.on('socket', (socket) => socket.once('connect', () => (sent = true)));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!sent || error.code === 'ECONNREFUSED') {
        reject(new AgentUnreachableError(`${who} is not answering: ${error.code ?? error.message}`, false));
        return;
      }
      reject(new AgentUnreachableError(`${who} stopped answering during ${name}: ${error.code ?? error.message}`, 'unknown'));
    });
    req.end(body ?? undefined);
  });
}

/** The AgentApi over the loopback API of a running agent: one function per call in `calls`. */
export function remoteApi(endpoint: AgentEndpoint, options: RemoteOptions = {}): RemoteApi {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(calls) as CallName[]) api[name] = (input) => call(endpoint, name, input, timeoutMs);
  // Built from the same table the server routes come from; each result has the call's output type by that table.
  return api as unknown as RemoteApi;
}
