import type { CallName } from '../api.js';

// The IPC channel table without zod, so the sandboxed preload bundle stays a few KB.
// main/transport/ipc.ts pairs each name with its schema from main/api.ts; the test
// test/desktop/ipc-channels.test.ts checks this list equals Object.keys(calls).

export const CALL_NAMES = [
  'preview',
  'status',
  'samples',
  'setConsent',
  'pause',
  'resume',
  'disable',
  'enable',
  'exportReport',
  'history',
  'historyBody',
  'clearHistory',
  'instanceIds',
  'requestDeletion',
  'sources',
  'answerSource',
  'reportError',
] as const satisfies readonly CallName[];

// Compile-time exhaustiveness: adding a call to main/api.ts without listing it here fails the type check.
type Missing = Exclude<CallName, (typeof CALL_NAMES)[number]>;
const exhaustive: [Missing] extends [never] ? true : { missing: Missing } = true;
void exhaustive;

export const CHANNEL_PREFIX = 'candor:';
/**
 * Main -> renderer push of the effective state after every change. Not 'candor:status':
 * that is the channel of the `status` call, and one name for two directions invites mistakes.
 */
export const STATUS_CHANNEL = 'candor:status-changed';

export function channelFor(name: CallName): `candor:${CallName}` {
  return `candor:${name}`;
}

/** What every invoke resolves to: errors travel as data so the renderer gets the exact message. */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string; status: number } };
