import type { AgentStatus } from '../api.js';
import { candorCommand } from './invocation.js';
import type { Answerer } from './state-source.js';
import { formatWhen } from './when.js';

// How `candor status` (and every command that changes state) shows the state: what
// is sent, where to, at which level, when next, under which id, and who answered.

/** What only a running agent knows; the files cannot say it. */
function agentOnly(status: AgentStatus, from: Answerer) {
  const running = from.kind === 'agent';
  return {
    telemetry_id: running ? status.telemetry_id : null,
    next_send_at: running ? status.next_send_at : null,
    retry_at: running ? status.retry_at : null,
    delivery: running ? status.delivery : null,
    outbox_pending: running ? status.outbox_pending : null,
  };
}

export function statusJson(status: AgentStatus, from: Answerer): string {
  const agent =
    from.kind === 'agent'
      ? { running: true, pid: from.pid, url: from.url }
      : from.kind === 'agent-without-api'
        ? { running: true, pid: from.pid, url: null }
        : { running: false };
  return `${JSON.stringify({
    agent,
    collecting: status.collecting,
    sending: status.sending,
    reasons: status.reasons,
    consent: status.consent,
    user_disabled: status.user_disabled,
    paused_until: status.paused_until,
    endpoint_host: status.endpoint_host,
    details_level: status.details_level,
    send_interval_s: status.send_interval_s,
    ...agentOnly(status, from),
  })}\n`;
}

function agentLine(from: Answerer): string {
  switch (from.kind) {
    case 'agent':
      return `agent: running (pid ${from.pid}, ${from.url})`;
    case 'agent-without-api':
      return `agent: running without a local API (pid ${from.pid}, the desktop app?): shown from the files it watches; a pause until restart is not visible here`;
    case 'files':
      return `agent: not running${from.stopped ? ' (it stopped just now)' : ''}: state read from the files in ${from.dataDir}`;
  }
}

export function statusText(status: AgentStatus, from: Answerer, now: Date = new Date()): string {
  const running = from.kind === 'agent';
  const lines = [agentLine(from)];
  if (status.sending) lines.push(running || from.kind === 'agent-without-api' ? 'sending: on' : 'sending: on (once an agent runs)');
  else {
    lines.push('sending: off');
    for (const reason of status.reasons) lines.push(`  - ${reason}`);
  }
  lines.push(`collecting: ${status.collecting ? 'on' : 'off'}`);
  lines.push(`endpoint: ${status.endpoint_host ?? 'none configured'}`);
  lines.push(`level sent: ${status.details_level}, every ${interval(status.send_interval_s)}`);
  const start = `\`${candorCommand('start', { dataDir: from.kind === 'files' ? from.dataDir : undefined })}\``;
  if (!running) {
    lines.push(`next report: none (${from.kind === 'files' ? `no agent is running; ${start} starts one` : 'only the agent knows'})`);
    lines.push(`current id: none (${from.kind === 'files' ? 'every start makes a new one' : 'only the agent knows'})`);
  } else {
    const next = status.next_send_at === null ? null : new Date(status.next_send_at);
    lines.push(`next report: ${next !== null ? formatWhen(next, now) : status.sending ? 'being sent now' : 'none while sending is off'}`);
    lines.push(`current id: ${status.telemetry_id}`);
    if (status.sending) lines.push(`delivery: ${status.delivery}, ${status.outbox_pending} report(s) queued`);
    if (status.sending && status.retry_at !== null) lines.push(`queued reports wait until: ${formatWhen(new Date(status.retry_at), now)}`);
  }
  return `${lines.join('\n')}\n`;
}

function interval(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} min`;
  return `${seconds} s`;
}

export function printStatus(status: AgentStatus, from: Answerer, json: boolean): void {
  process.stdout.write(json ? statusJson(status, from) : statusText(status, from));
}
