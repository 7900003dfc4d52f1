import { CommanderError, type Command } from 'commander';
import { ConfigError } from '../control/config-load.js';
import { UsageError } from './program.js';

// From whatever a command threw to the exit code and the one line that says why.

/** Commander's message, with the extra arguments named where it leaves them out. */
function commanderMessage(program: Command, error: CommanderError): string {
  if (error.code === 'commander.excessArguments') {
    const sub = program.commands.find((c) => c.args.length > c.registeredArguments.length);
    if (sub) {
      const extras = sub.args
        .slice(sub.registeredArguments.length)
        .map((a) => JSON.stringify(a))
        .join(' ');
      return `unexpected argument ${extras} for '${sub.name()}'`;
    }
  }
  return error.message.replace(/^error: /, '');
}

export function exitCodeOf(program: Command, error: unknown): { code: number; message: string | null } {
  if (error instanceof CommanderError) {
    // 'commander.help': no command given, the help was shown; that is what `candor` alone asks for.
    if (error.exitCode === 0 || error.code === 'commander.help') return { code: 0, message: null };
    return { code: 2, message: commanderMessage(program, error) };
  }
  if (error instanceof UsageError || error instanceof ConfigError) return { code: 2, message: error.message };
  return { code: 1, message: (error as Error).message ?? String(error) };
}
