import type { SourceInfo, SourcesResult } from '../api.js';
import { candorCommand } from './invocation.js';
import type { Answerer } from './state-source.js';
import { formatWhen } from './when.js';

// How `candor sources` shows the apps reporting through Candor: each app's state and
// who answered, and whether the intake listens. Only a running agent knows the pending
// apps and what they sent; without one, the answers in the files are all there is.

export type IntakeState = SourcesResult['intake'];

/** What the files say about the intake when no agent answers. */
export interface ConfiguredIntake {
  enabled: boolean;
  port: number;
}

/** The intake's state as this command reports it: the agent's own, or why it is not listening. */
export function intakeState(from: Answerer, reported: IntakeState, configured: ConfiguredIntake | null): IntakeState {
  if (from.kind === 'agent') return reported;
  if (from.kind === 'agent-without-api')
    return { listening: false, port: null, problem: 'unknown: the running agent has no local API (the desktop app?)' };
  const off = configured !== null && !configured.enabled ? '; intake.otlp.enabled is false in the config' : '';
  return { listening: false, port: null, problem: `agent not running${off}` };
}

function agentJson(from: Answerer): Record<string, unknown> {
  if (from.kind === 'agent') return { running: true, pid: from.pid, url: from.url };
  if (from.kind === 'agent-without-api') return { running: true, pid: from.pid, url: null };
  return { running: false };
}

export function sourcesJson(from: Answerer, intake: IntakeState, sources: readonly SourceInfo[]): string {
  return `${JSON.stringify({ agent: agentJson(from), intake, sources })}\n`;
}

export function answerJson(from: Answerer, source: SourceInfo): string {
  return `${JSON.stringify({ agent: agentJson(from), source })}\n`;
}

function agentLine(from: Answerer): string {
  switch (from.kind) {
    case 'agent':
      return `agent: running (pid ${from.pid}, ${from.url})`;
    case 'agent-without-api':
      return `agent: running without a local API (pid ${from.pid}, the desktop app?): answers read from the files it watches; its pending apps are not visible here`;
    case 'files':
      return `agent: not running${from.stopped ? ' (it stopped just now)' : ''}: answers read from the files in ${from.dataDir} (yours) and the config (the operator's)`;
  }
}

function intakeLine(from: Answerer, intake: IntakeState, configured: ConfiguredIntake | null): string {
  if (intake.listening && intake.port !== null) return `intake: listening on 127.0.0.1:${intake.port} (OTLP/HTTP)`;
  const line = `intake: not listening: ${intake.problem ?? 'not started'}`;
  // Without an agent, say where the next one will listen (the config's port; --otlp-port may choose another).
  if (from.kind !== 'files' || configured === null || !configured.enabled) return line;
  return `${line} (once running, it listens on ${configured.port === 0 ? 'a free port on 127.0.0.1' : `127.0.0.1:${configured.port}`})`;
}

function answeredBy(source: SourceInfo): string {
  return source.answered_by === 'none' ? '-' : source.answered_by;
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

function seen(source: SourceInfo, now: Date): string {
  if (!source.seen) return 'no';
  const { data_points, log_records, dropped } = source.counts;
  const parts = [plural(data_points, 'data point'), plural(log_records, 'log record')];
  if (dropped > 0) parts.push(`${dropped} dropped`);
  const last = source.last_seen === null ? '' : `, last ${formatWhen(new Date(source.last_seen), now).replace(/ \(due now\)$/, '')}`;
  return `${parts.join(', ')}${last}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function sourcesText(
  from: Answerer,
  intake: IntakeState,
  sources: readonly SourceInfo[],
  configured: ConfiguredIntake | null,
  dataDir: string,
  now: Date = new Date(),
): string {
  const lines = [agentLine(from), intakeLine(from, intake, configured)];
  const running = from.kind === 'agent';
  if (sources.length === 0) {
    lines.push(
      running
        ? 'sources: none yet (no app has sent OpenTelemetry data, and none is answered in the settings or the config)'
        : 'sources: none answered in the settings or the config',
    );
  } else {
    const header = running ? ['NAME', 'STATE', 'ANSWERED BY', 'SEEN'] : ['NAME', 'STATE', 'ANSWERED BY'];
    const rows = sources.map((s) => (running ? [s.name, s.state, answeredBy(s), seen(s, now)] : [s.name, s.state, answeredBy(s)]));
    lines.push(...table([header, ...rows]));
  }
  if (!running) lines.push('pending apps live in the running agent: only it lists them');
  if (sources.some((s) => s.state === 'pending') || !running)
    lines.push(
      `answer with \`${candorCommand('sources allow NAME', { dataDir })}\` or \`${candorCommand('sources deny NAME', { dataDir })}\``,
    );
  return `${lines.join('\n')}\n`;
}

const WHAT_NOW: Record<'allowed' | 'denied', string> = {
  allowed: "its data (with what was held while it was pending) goes into the reports, under the same rules as Candor's own",
  denied: 'its data is dropped as it arrives, and nothing of it is sent',
};

export function answerText(from: Answerer, source: SourceInfo): string {
  const lines = [agentLine(from), `${source.name}: ${source.state} (answered by ${answeredBy(source)})`];
  // The person's answer always wins, so after an answer the state is never pending.
  if (source.state !== 'pending') {
    const what = WHAT_NOW[source.state];
    if (from.kind === 'agent') lines.push(what);
    else if (from.kind === 'agent-without-api') lines.push(`kept in the settings the running agent watches: ${what}`);
    else lines.push(`kept in the settings: the agent reads it when it starts; then ${what}`);
  }
  return `${lines.join('\n')}\n`;
}
