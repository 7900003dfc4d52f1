import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach } from 'vitest';
import { createAgent, type Agent, type AgentOptions } from '../../main/agent.js';
import { childReaper } from '../support/child.js';
import { startCollector, type Collector, type CollectorOptions } from '../support/collector.js';
import { fastSendingConfig, sandbox, type Sandbox } from '../support/temp-dirs.js';
import { captureLogLines, type LogLines } from '../hardening/support/log-lines.js';

// The agent end to end against a real collector on 127.0.0.1: shared set-up for the
// files in test/agent. Importing it registers an afterEach that closes agents, reaps
// child processes, stops collectors, removes sandboxes and restores the log sink.

const cleanups: (() => Promise<void> | void)[] = [];
export const reaper = childReaper();
let logs: LogLines | null = null;

afterEach(async () => {
  await reaper.reap();
  while (cleanups.length) await cleanups.pop()?.();
  logs?.restore();
  logs = null;
});

/** The agent's log lines in this process, from now until the end of the test. */
export function captureLogs(): LogLines {
  logs ??= captureLogLines();
  return logs;
}

export async function setup(extraConfig = '', collectorOptions: CollectorOptions = {}): Promise<{ box: Sandbox; collector: Collector }> {
  const box = sandbox();
  const collector = await startCollector(collectorOptions);
  box.writeConfig('config.yaml', fastSendingConfig(collector.url, extraConfig));
  cleanups.push(
    () => box.cleanup(),
    () => collector.close(),
  );
  return { box, collector };
}

export async function agentIn(box: Sandbox, options: Partial<AgentOptions> = {}): Promise<Agent> {
  const agent = await createAgent({ mode: 'headless', dataDir: box.dataDir, cwd: box.cwd, env: {}, ...options });
  cleanups.push(() => agent.close());
  return agent;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Waits for a log line matching `pattern` among those logged after index `from`. */
export async function waitForLog(lines: LogLines, pattern: RegExp, from = 0, timeoutMs = 15_000): Promise<string> {
  let found: string | undefined;
  await waitUntil(
    () => (found = lines.lines.slice(from).find((line) => pattern.test(line))) !== undefined,
    `a log line matching ${String(pattern)}; logged: ${lines.lines.slice(from).join(' | ')}`,
    timeoutMs,
  );
  return found ?? '';
}

export function outboxFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'outbox');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json.gz'))
        .sort()
    : [];
}

/** The queued reports' JSON, exactly as the sender will put it on the wire (before gzip). */
export function outboxBodies(dataDir: string): string[] {
  return outboxFiles(dataDir).map((f) => gunzipSync(readFileSync(join(dataDir, 'outbox', f))).toString('utf8'));
}

export function deletionFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'deletion');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
}

/** The 503 a busy collector answers, asking for an hour's wait: only a wake-up delivers before that. */
export const BUSY_FOR_AN_HOUR = { status: 503, headers: { 'Retry-After': '3600' } };
