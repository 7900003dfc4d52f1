import { spawn } from 'node:child_process';
import type { SourceInfo } from '../../main/api.js';
import type { Sandbox } from '../support/temp-dirs.js';
import { agentSays, baseEnv, CLI, track, type CliResult } from './support.js';

// What the `candor sources` tests share: the CLI run without blocking this process (a
// collector or an SDK app may be answering in it meanwhile), and the shapes the CLI prints.

export interface SourcesJson {
  agent: { running: boolean; pid?: number; url?: string | null };
  intake: { listening: boolean; port: number | null; problem: string | null };
  sources: SourceInfo[];
}

export interface AnswerJson {
  agent: { running: boolean; pid?: number; url?: string | null };
  source: SourceInfo;
}

/** `candor --data-dir <box> ...args`, asynchronously: this process keeps serving while it runs. */
export function candorAsync(box: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [CLI, '--data-dir', box.dataDir, ...args], {
        cwd: box.cwd,
        env: baseEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** `candor sources --json`, which must succeed. */
export async function sourcesJson(box: Sandbox): Promise<SourcesJson> {
  const result = await candorAsync(box, ['sources', '--json']);
  if (result.code !== 0) throw new Error(`candor sources --json exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as SourcesJson;
}

/** `candor sources allow|deny NAME --json`, which must succeed. */
export async function answer(box: Sandbox, verb: 'allow' | 'deny', name: string): Promise<AnswerJson> {
  const result = await candorAsync(box, ['sources', verb, name, '--json']);
  if (result.code !== 0) throw new Error(`candor sources ${verb} ${name} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as AnswerJson;
}

/** The running agent's intake port, as `candor sources --json` reports it. */
export async function intakeUrl(box: Sandbox): Promise<string> {
  const { intake } = await sourcesJson(box);
  if (!intake.listening || intake.port === null) throw new Error(`the intake is not listening: ${intake.problem ?? '?'}`);
  return `http://127.0.0.1:${intake.port}`;
}

/** The agent's own view of its sources (GET /sources), past the CLI. */
export async function agentSources(port: number, token: string): Promise<SourceInfo[]> {
  return (await agentSays(port, token, '/sources'))['sources'] as SourceInfo[];
}
