import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { readLock } from '../../main/util/instance-lock.js';
import { APP_ROOT } from '../../main/version.js';
import { childReaper } from '../support/child.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// The built `candor` as a person runs it, in a sandbox: one-shot commands, and the
// headless agent (`candor start`) as a long-running child. Importing this registers an
// afterEach that kills every agent a test started and removes its sandboxes.

export const CLI = join(APP_ROOT, 'dist/main/cli.js');
const reaper = childReaper();
const boxes: Sandbox[] = [];

afterEach(async () => {
  await reaper.reap();
  while (boxes.length) boxes.pop()?.cleanup();
});

export function newBox(): Sandbox {
  const box = sandbox('candor-cli-');
  boxes.push(box);
  return box;
}

/** The test run's temp HOME and XDG folders (global-setup.ts), never the developer's. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '' };
  for (const key of ['HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'])
    if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function candor(box: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, '--data-dir', box.dataDir, ...args], {
    cwd: box.cwd,
    env: baseEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface RunningAgent {
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<number | null>;
}

/** `candor start --headless` with its output piped (no terminal): resolves once it announced its API. */
export async function startAgent(box: Sandbox, args: string[] = ['--port', '0'], env: NodeJS.ProcessEnv = {}): Promise<RunningAgent> {
  const child = reaper.track(
    spawn(process.execPath, [CLI, 'start', '--headless', '--data-dir', box.dataDir, ...args], {
      cwd: box.cwd,
      env: baseEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(() => gone || /local API: /.test(text), 'the agent to announce its local API');
  if (gone) throw new Error(`the agent exited early:\n${text}`);
  const port = readLock(box.dataDir)?.port;
  if (typeof port !== 'number') throw new Error(`no port in the lock file; agent said:\n${text}`);
  return { child, port, output: () => text, exited };
}

/** The token the running agent wrote for this start. */
export function apiToken(box: Sandbox): string {
  return readFileSync(join(box.dataDir, 'api-token'), 'utf8').trim();
}

/** A call to the agent's own loopback API, past the CLI: what the agent itself says. */
export async function agentSays(port: number, token: string, path = '/status'): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return ((await response.json()) as { result: Record<string, unknown> }).result;
}

export function track<T extends ChildProcess>(child: T): T {
  return reaper.track(child);
}
