import { z } from 'zod';
import type { SourceInfo } from './intake/source-types.js';
import type { Payload, RecentSample, SourceSection } from './report/payload-schema.js';

// The AgentApi contract: the only way a UI or another process reaches the agent.
// `calls` is the one table both transports derive from: Electron IPC
// (main/transport/ipc.ts, channel `candor:<name>`) and the loopback HTTP API
// (main/transport/http.ts, `http.method` + `http.path`). Inputs are validated
// against `input` on the agent side of every transport; unknown keys are errors.

export const DetailsLevel = z
  .number()
  .int()
  .min(0)
  .max(1_000_000)
  .transform((n) => Math.min(n, 4));

export const PAUSE_DURATIONS = ['30m', '1h', '24h', 'until-restart'] as const;
export type PauseDuration = (typeof PAUSE_DURATIONS)[number];

const Empty = z.object({}).strict();

const ErrorText = (max: number): z.ZodString => z.string().max(max);

export const calls = {
  preview: {
    input: z.object({ details_level: DetailsLevel, anonymize: z.boolean() }).strict(),
    http: { method: 'GET', path: '/preview' },
    doc: 'The payload as it would be sent (anonymize=true) or as collected (false), with the list of fields the anonymizer changed.',
  },
  status: { input: Empty, http: { method: 'GET', path: '/status' }, doc: 'The effective state and every reason.' },
  samples: { input: Empty, http: { method: 'GET', path: '/samples' }, doc: 'Recent CPU and memory samples, for charts.' },
  setConsent: {
    input: z.object({ granted: z.boolean() }).strict(),
    http: { method: 'POST', path: '/consent' },
    doc: 'Grant or revoke consent.',
  },
  pause: {
    input: z.object({ duration: z.enum(PAUSE_DURATIONS) }).strict(),
    http: { method: 'POST', path: '/pause' },
    doc: 'Pause sending for a time or until restart.',
  },
  resume: { input: Empty, http: { method: 'POST', path: '/resume' }, doc: 'End a pause.' },
  disable: { input: Empty, http: { method: 'POST', path: '/disable' }, doc: 'Disable telemetry (persisted).' },
  enable: { input: Empty, http: { method: 'POST', path: '/enable' }, doc: 'Undo a user disable.' },
  exportReport: {
    input: z.object({ details_level: DetailsLevel, anonymize: z.boolean() }).strict(),
    http: { method: 'POST', path: '/export' },
    doc: 'Export the report: the host picks the file (save dialog on the desktop); without one, the JSON comes back to download.',
  },
  history: { input: Empty, http: { method: 'GET', path: '/history' }, doc: 'The ledger of delivered reports.' },
  historyBody: {
    input: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex characters') }).strict(),
    http: { method: 'GET', path: '/history/body' },
    doc: 'One delivered body, if it is still kept.',
  },
  clearHistory: { input: Empty, http: { method: 'POST', path: '/history/clear' }, doc: 'Forget the sent history.' },
  instanceIds: { input: Empty, http: { method: 'GET', path: '/ids' }, doc: 'Every instance id this machine has sent under.' },
  requestDeletion: {
    input: z.object({ send: z.boolean() }).strict(),
    http: { method: 'POST', path: '/deletion-request' },
    doc: 'The text of a deletion request (ids + contact); with send=true, also queue it to the deletion endpoint.',
  },
  sources: {
    input: Empty,
    http: { method: 'GET', path: '/sources' },
    doc: 'The apps that report through Candor (OTLP intake), each with its state: pending, allowed or denied, and who answered.',
  },
  answerSource: {
    input: z.object({ name: z.string().min(1).max(128), answer: z.enum(['allowed', 'denied']) }).strict(),
    http: { method: 'POST', path: '/sources/answer' },
    doc: "Allow or deny one app (by its OpenTelemetry service.name); the person's answer is kept and wins over the operator's.",
  },
  reportError: {
    input: z.object({ type: ErrorText(200), message: ErrorText(10_000), stack: ErrorText(50_000).optional() }).strict(),
    http: { method: 'POST', path: '/errors' },
    doc: 'Record an error from a renderer or embedding app.',
  },
} as const;

export type CallName = keyof typeof calls;
export type CallInput<N extends CallName> = z.input<(typeof calls)[N]['input']>;
export type CallArgs<N extends CallName> = z.output<(typeof calls)[N]['input']>;

export type Consent = 'unset' | 'granted' | 'revoked';

export interface AgentStatus {
  collecting: boolean;
  sending: boolean;
  /** Every reason sending is off, each naming its exact source, in plain words. */
  reasons: string[];
  consent: Consent;
  consent_at: string | null;
  user_disabled: boolean;
  /** ISO time, 'restart' for until-restart, or null. */
  paused_until: string | null;
  telemetry_id: string;
  endpoint_configured: boolean;
  deletion_endpoint_configured: boolean;
  /** The details level reports are sent at (telemetry.details_level). */
  details_level: number;
  /** Seconds between reports (telemetry.interval_s). */
  send_interval_s: number;
  /** When the next scheduled report is due (ISO), or null while sending is off. */
  next_send_at: string | null;
  /** While the collector asked to wait (Retry-After) or a backoff runs: when queued reports are tried again (ISO). */
  retry_at: string | null;
  /** Host of the telemetry endpoint, shown to the person asked for consent; null without one. Local only, never sent. */
  endpoint_host: string | null;
  /** Last delivery state: idle (nothing to do), ok, retrying (offline), off. */
  delivery: 'idle' | 'ok' | 'retrying' | 'off';
  outbox_pending: number;
  /** Deletion requests queued and not yet delivered (the history shows each receipt once it is). */
  deletions_pending: number;
  /** Apps reporting through Candor and their answers (for the tray's and the page's lists). */
  sources: Array<Pick<SourceInfo, 'name' | 'state' | 'answered_by'>>;
}

export type ChangeAction = 'hashed' | 'rounded' | 'categorized' | 'templated' | 'scrubbed' | 'coarsened' | 'dropped';

/** One field the anonymizer changed; `raw` is present only in previews, never sent. */
export interface FieldChange {
  /** JSON pointer into the payload (RFC 6901), e.g. /errors/captured/0/message */
  path: string;
  action: ChangeAction;
  raw?: unknown;
}

export interface PreviewResult {
  payload: Payload;
  changes: FieldChange[];
  /** Apps waiting for an answer: what each would send once allowed (never sent while pending); change paths start /sources. */
  pending: { sources: SourceSection[]; changes: FieldChange[] };
}

export interface ExportResult {
  /** Where the file was written, or null when the caller should save `json` itself. */
  path: string | null;
  filename: string;
  bytes: number;
  json: string | null;
}

export interface HistoryEntry {
  time: string;
  instance_id: string;
  details_level: number;
  bytes: number;
  sha256: string;
  body_kept: boolean;
}

export interface DeletionRequest {
  ids: string[];
  contact: string | null;
  text: string;
  /**
   * not-configured: no deletion endpoint, send the text yourself; queued: will be retried
   * until delivered; rejected: the endpoint refused it (4xx), send the text yourself.
   */
  delivery: 'not-requested' | 'not-configured' | 'queued' | 'sent' | 'rejected';
}

/** A deletion request the collector carried out, as this machine recorded its answer. */
export interface DeletionReceipt {
  /** When this machine asked (its clock). */
  requested_at: string;
  /** The instance ids the request named. */
  ids: string[];
  /** The collector's receipt: when it deleted and how many rows; null when its answer held no receipt. */
  deleted_at: string | null;
  rows_deleted: number | null;
  /** When the collector's answer arrived (this machine's clock). */
  confirmed_at: string;
}

export interface Samples {
  interval_s: number;
  samples: RecentSample[];
}

export interface CallOutputs {
  preview: PreviewResult;
  status: AgentStatus;
  samples: Samples;
  setConsent: AgentStatus;
  pause: AgentStatus;
  resume: AgentStatus;
  disable: AgentStatus;
  enable: AgentStatus;
  exportReport: ExportResult;
  history: { entries: HistoryEntry[]; deletions: DeletionReceipt[] };
  historyBody: { body: Payload | null };
  clearHistory: { cleared: number };
  instanceIds: { current: string; ids: string[] };
  requestDeletion: DeletionRequest;
  sources: SourcesResult;
  answerSource: SourceInfo;
  reportError: { recorded: boolean };
}

export type { SourceInfo } from './intake/source-types.js';

export interface SourcesResult {
  sources: SourceInfo[];
  intake: { listening: boolean; port: number | null; problem: string | null };
}

/** The contract the UI sees (window.candor): one async method per call, plus state changes. */
export type AgentApi = {
  [N in CallName]: (input: CallInput<N>) => Promise<CallOutputs[N]>;
} & {
  onStatus(listener: (status: AgentStatus) => void): () => void;
};

/** What the agent implements: the same calls, with inputs already validated. */
export type AgentHandlers = {
  [N in CallName]: (args: CallArgs<N>) => Promise<CallOutputs[N]>;
} & {
  onStatus(listener: (status: AgentStatus) => void): () => void;
};

/** Errors crossing a transport: a message naming what was wrong. */
export class ContractError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 500 = 400,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

/** Validate a call's input; throws ContractError naming the offending field. */
export function parseInput<N extends CallName>(name: N, input: unknown): CallArgs<N> {
  // The table's union of schemas cannot be narrowed by N; the cast is checked by the table's own types.
  const schema = calls[name].input as unknown as z.ZodType<CallArgs<N>>;
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'input';
  throw new ContractError(`${name}: ${where}: ${issue?.message ?? 'invalid input'}`);
}

const HANDLERS = Symbol('candor.handlers');

/**
 * The AgentApi over the agent's handlers, for callers in the same process (the CLI,
 * the tray): every input is validated here. A transport (IPC, HTTP) validates at its
 * own edge and then calls `callWithArgs`, so an input is checked exactly once.
 */
export function checkedApi(handlers: AgentHandlers): AgentApi {
  const api: Record<string | symbol, unknown> = {
    onStatus: (listener: (status: AgentStatus) => void) => handlers.onStatus(listener),
    [HANDLERS]: handlers,
  };
  for (const name of Object.keys(calls) as CallName[]) {
    // The handler table is indexed by the same name; after parseInput its argument type matches by construction.
    const handler = handlers[name] as (args: unknown) => Promise<unknown>;
    api[name] = async (input: unknown) => handler(parseInput(name, input));
  }
  return api as AgentApi;
}

/**
 * Calls `name` with arguments a transport has already validated: straight to the
 * handler when the api is the agent's own, through the api otherwise (a test double).
 */
export function callWithArgs<N extends CallName>(api: AgentApi, name: N, args: CallArgs<N>): Promise<CallOutputs[N]> {
  const handlers = (api as unknown as Record<symbol, AgentHandlers | undefined>)[HANDLERS];
  // Both tables are indexed by N; the per-name signatures cannot be narrowed by a generic index.
  const target = (handlers?.[name] ?? api[name]) as (input: unknown) => Promise<CallOutputs[N]>;
  return target(args);
}
