import type { Command } from 'commander';
import { createAgent, type Agent } from '../agent.js';
import { configPathOf, dataDirOf, globals } from './program.js';

/**
 * An agent in this process over the data directory's files, for commands that read or
 * change state when no agent runs (and for reports, history and ids, which always come
 * from the files). Passive: it neither samples nor sends, nor takes a pending crash report.
 */
export async function withLocalAgent<T>(command: Command, run: (agent: Agent) => Promise<T>): Promise<T> {
  const opts = globals(command);
  const agent = await createAgent({
    mode: 'cli',
    passive: true,
    dataDir: dataDirOf(opts),
    disableTelemetry: opts.disableTelemetry === true,
    configPath: configPathOf(opts),
  });
  try {
    return await run(agent);
  } finally {
    await agent.close();
  }
}
