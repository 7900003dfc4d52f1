import type { Command } from 'commander';
import type { AgentApi } from '../api.js';
import { AgentUnreachableError, findRunningAgent, remoteApi, type RemoteApi, type RunningAgent } from '../transport/http-client.js';
import { withLocalAgent } from './local-agent.js';
import { dataDirOf, globals } from './program.js';

// One truth for state: when an agent runs on the data directory, state commands ask it
// (it holds what no file does, like a pause until restart, and it is the one sending);
// when none runs, they read and write the files it will read at its next start.

/** Who answered a state command. */
export type Answerer =
  | { kind: 'agent'; pid: number; url: string }
  /** A live agent without a loopback API (the desktop app): the files it watches answered. */
  | { kind: 'agent-without-api'; pid: number }
  /** No agent: the files answered. `stopped` when one went away during this command. */
  | { kind: 'files'; dataDir: string; stopped: boolean };

export interface Answer<T> {
  value: T;
  from: Answerer;
}

type Call<T> = (api: RemoteApi | AgentApi, from: Answerer) => Promise<T>;

async function fromFiles<T>(command: Command, from: Answerer, call: Call<T>): Promise<Answer<T>> {
  return withLocalAgent(command, async (agent) => ({ value: await call(agent.api, from), from }));
}

/** Runs `call` against the running agent, or against the files when none runs. */
export async function askState<T>(command: Command, call: Call<T>): Promise<Answer<T>> {
  const opts = globals(command);
  const dataDir = dataDirOf(opts);
  const running: RunningAgent = await findRunningAgent(dataDir);
  if (running.kind === 'none') return fromFiles(command, { kind: 'files', dataDir, stopped: false }, call);
  if (running.kind === 'no-api') return fromFiles(command, { kind: 'agent-without-api', pid: running.lock.pid }, call);

  if (opts.configPath !== undefined || opts.disableTelemetry === true)
    process.stderr.write(
      `candor: note: the running agent (pid ${running.lock.pid}) answers with its own configuration; --config-path and --disable-telemetry apply only when no agent runs\n`,
    );
  const from: Answerer = { kind: 'agent', pid: running.lock.pid, url: running.endpoint.url };
  try {
    return { value: await call(remoteApi(running.endpoint), from), from };
  } catch (error) {
    // Gone before the call reached it: nothing happened there, so the files may answer.
    if (error instanceof AgentUnreachableError && error.delivered === false && (await findRunningAgent(dataDir)).kind === 'none')
      return fromFiles(command, { kind: 'files', dataDir, stopped: true }, call);
    throw error;
  }
}
