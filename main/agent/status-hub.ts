import type { AgentStatus, Consent } from '../api.js';
import { timedPauseActive } from '../control/effective-state.js';
import { log } from '../util/log.js';
import type { Delivery } from './delivery.js';
import type { RunState } from './run-state.js';
import type { Sources } from './sources.js';

/** The agent's state as every surface shows it, and the push of its changes. */
export class StatusHub {
  private readonly listeners = new Set<(status: AgentStatus) => void>();
  private lastJson = '';
  private delivery: Delivery | null = null;
  private sources: Sources | null = null;

  constructor(
    private readonly run: RunState,
    private readonly telemetryId: string,
  ) {}

  attach(delivery: Delivery, sources: Sources): void {
    this.delivery = delivery;
    this.sources = sources;
  }

  status(now = new Date()): AgentStatus {
    const { run } = this;
    const settings = run.settings.get();
    const eff = run.effective(now);
    const telemetry = run.config.config.telemetry;
    // An expired pause is no pause: the surfaces never offer to end it.
    const timedPause = timedPauseActive(settings, now) ? settings.paused_until : null;
    const next = eff.sending ? (this.delivery?.scheduler.nextRunAt() ?? null) : null;
    return {
      collecting: eff.collecting,
      sending: eff.sending,
      reasons: eff.reasons,
      consent: settings.consent.state as Consent,
      consent_at: settings.consent.at,
      user_disabled: settings.user_disabled.value,
      paused_until: run.pausedUntilRestart ? 'restart' : timedPause,
      telemetry_id: this.telemetryId,
      endpoint_configured: telemetry.endpoint !== null,
      deletion_endpoint_configured: telemetry.deletion_endpoint !== null,
      details_level: telemetry.details_level,
      send_interval_s: telemetry.interval_s,
      endpoint_host: endpointHost(telemetry.endpoint),
      next_send_at: next === null ? null : next.toISOString(),
      retry_at: eff.sending ? (this.delivery?.sender.nextAttemptAt()?.toISOString() ?? null) : null,
      delivery: eff.sending ? (this.delivery?.sender.state ?? 'idle') : 'off',
      outbox_pending: this.delivery?.outboxPending ?? 0,
      deletions_pending: this.delivery?.deletionsPending ?? 0,
      sources: this.sources?.list().map((s) => ({ name: s.name, state: s.state, answered_by: s.answered_by })) ?? [],
    };
  }

  /** Tells every listener, once per actual change. */
  emit(): void {
    const current = this.status();
    const json = JSON.stringify(current);
    if (json === this.lastJson) return;
    this.lastJson = json;
    for (const listener of this.listeners) {
      try {
        listener(current);
      } catch (error) {
        log.warn(`status listener failed: ${(error as Error).message}`);
      }
    }
  }

  subscribe(listener: (status: AgentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.listeners.clear();
  }
}

function endpointHost(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
