import type { Command } from 'commander';
import { payloadSchema, wireSchema } from '../../report/validate.js';
import { findRunningAgent } from '../../transport/http-client.js';
import { candorCommand } from '../invocation.js';
import { dataDirOf, globals } from '../program.js';

export function registerToolCommands(program: Command): void {
  program
    .command('api-token')
    .description("print the running agent's local API token")
    .option('--link', 'print the preview page link with the token in it instead')
    .action(async (opts: { link?: boolean }, command: Command) => {
      const dataDir = dataDirOf(globals(command));
      const running = await findRunningAgent(dataDir);
      if (running.kind !== 'api') {
        throw new Error(
          running.kind === 'none'
            ? `no running agent on ${dataDir} (start one with \`${candorCommand('start', { dataDir })}\`)`
            : `the agent running on ${dataDir} (pid ${running.lock.pid}) has no local API`,
        );
      }
      const { endpoint } = running;
      process.stdout.write(opts.link ? `${endpoint.url}#token=${endpoint.token}\n` : `${endpoint.token}\n`);
    });

  program
    .command('schema')
    .description("print the JSON Schema of what is sent (with each field's level and anonymization rule)")
    .option('--local', 'the schema of what this machine holds (raw previews and exports, with the fields that never leave)')
    .action((opts: { local?: boolean }) => {
      process.stdout.write(`${JSON.stringify(opts.local === true ? payloadSchema() : wireSchema(), null, 2)}\n`);
    });
}
