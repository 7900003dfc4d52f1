import { InvalidArgumentError, type Command } from 'commander';
import { PAUSE_DURATIONS, type AgentStatus, type PauseDuration } from '../../api.js';
import { candorCommand } from '../invocation.js';
import { dataDirOf, globals, parsePause } from '../program.js';
import { askState } from '../state-source.js';
import { printStatus } from '../status-output.js';

// status, consent, pause, resume, disable, enable: each asks the running agent when
// there is one (state-source.ts), so what they print is what the agent does.

export function registerStateCommands(program: Command): void {
  program
    .command('status')
    .description('whether telemetry is sending (and every reason it is not), where to, at which level, when next')
    .option('--json', 'print the state as one JSON object')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { value, from } = await askState(command, (api) => api.status({}));
      printStatus(value, from, opts.json === true);
    });

  program
    .command('consent')
    .description('grant or revoke consent to send anonymized reports')
    .argument('<answer>', 'grant | revoke', (value: string) => {
      if (value !== 'grant' && value !== 'revoke') throw new InvalidArgumentError(`expected grant or revoke, got ${JSON.stringify(value)}`);
      return value;
    })
    .action(async (answer: 'grant' | 'revoke', _opts: unknown, command: Command) => {
      const { value, from } = await askState(command, (api) => api.setConsent({ granted: answer === 'grant' }));
      printStatus(value, from, false);
    });

  program
    .command('pause')
    .description('pause sending')
    .option('--for <duration>', `${PAUSE_DURATIONS.join(' | ')}`, parsePause, '1h' as PauseDuration)
    .action(async (opts: { for: PauseDuration }, command: Command) => {
      const { value, from } = await askState(command, async (api, from): Promise<AgentStatus> => {
        // Kept only in the running agent's memory: without one there is nothing to pause.
        if (opts.for === 'until-restart' && from.kind !== 'agent') {
          const dataDir = dataDirOf(globals(command));
          throw new Error(
            from.kind === 'files'
              ? `no agent is running on ${dataDir}: "until-restart" pauses a running agent (start one with \`${candorCommand('start', { dataDir })}\`)`
              : `the agent running on ${dataDir} (pid ${from.pid}) has no local API, so "until-restart" cannot reach it; use its tray menu, or a timed pause`,
          );
        }
        return api.pause({ duration: opts.for });
      });
      printStatus(value, from, false);
    });

  for (const [name, description] of [
    ['resume', 'end a pause'],
    ['disable', 'disable telemetry (kept across restarts)'],
    ['enable', 'undo `candor disable`'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .action(async (_opts: unknown, command: Command) => {
        const { value, from } = await askState(command, (api) => api[name]({}));
        printStatus(value, from, false);
      });
  }
}
