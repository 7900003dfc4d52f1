import type { AgentApi, AgentStatus, CallName } from '../../main/api.js';
import { CALL_NAMES } from '../../main/transport/ipc-channels.js';

// A recording AgentApi for wiring tests: every call resolves to { call, input } and is logged.

export interface RecordingApi {
  api: AgentApi;
  calls: { name: CallName; input: unknown }[];
  emitStatus(status: AgentStatus): void;
  listenerCount(): number;
}

export function statusFixture(overrides: Partial<AgentStatus> = {}): AgentStatus {
  return {
    collecting: true,
    sending: true,
    reasons: [],
    consent: 'granted',
    consent_at: '2025-01-01T00:00:00.000Z',
    user_disabled: false,
    paused_until: null,
    telemetry_id: '00000000-0000-4000-8000-000000000000',
    endpoint_configured: true,
    deletion_endpoint_configured: false,
    details_level: 2,
    send_interval_s: 3600,
    next_send_at: null,
    retry_at: null,
    endpoint_host: 'telemetry.example.org',
    delivery: 'ok',
    outbox_pending: 0,
    deletions_pending: 0,
    sources: [],
    ...overrides,
  };
}

export function recordingApi(): RecordingApi {
  const calls: RecordingApi['calls'] = [];
  const listeners = new Set<(status: AgentStatus) => void>();
  const verbs = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      async (input: unknown) => {
        calls.push({ name, input });
        return { call: name, input };
      },
    ]),
  );
  const api = {
    ...verbs,
    onStatus(listener: (status: AgentStatus) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // The recorded results are not the contract's outputs; wiring tests only check routing.
  } as unknown as AgentApi;
  return {
    api,
    calls,
    emitStatus: (status) => listeners.forEach((listener) => listener(status)),
    listenerCount: () => listeners.size,
  };
}
