import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PAUSE_DURATIONS, type PauseDuration } from '../api.js';
import { resolveDataDir } from '../control/paths.js';
import { setLogLevel } from '../util/log.js';
import { VERSION } from '../version.js';

// The program and what every command shares: the global options, the argument parsers
// and the rule for bad input (exit 2 with one line naming the argument).

/** The command line (or a file it names) is wrong: exit code 2, one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface GlobalOptions {
  disableTelemetry?: boolean;
  configPath?: string;
  dataDir?: string;
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function parseLevel(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Math.min(Number(value), 4);
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got ${JSON.stringify(value)}`);
  return port;
}

export function parsePause(value: string): PauseDuration {
  if (!(PAUSE_DURATIONS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${PAUSE_DURATIONS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as PauseDuration;
}

/** The data directory the options name, checked: a file in its place is a usage error. */
export function dataDirOf(opts: GlobalOptions): string {
  const dir = resolveDataDir({ flag: opts.dataDir, env: process.env });
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--data-dir ${dir}: exists and is not a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--data-dir ${dir}: ${(error as Error).message}`);
  }
  return dir;
}

export function configPathOf(opts: GlobalOptions): string | undefined {
  return opts.configPath ? resolve(opts.configPath) : undefined;
}

export function createProgram(): Command {
  const program = new Command('candor')
    .description('Candor: anonymized telemetry you can read before it leaves.')
    .version(VERSION)
    .addOption(new Option('--disable-telemetry', 'stop all sending for this run'))
    .addOption(new Option('--config-path <file>', 'extra YAML config layered last'))
    .addOption(new Option('--data-dir <dir>', 'where settings, keys, outbox and history live (env CANDOR_DATA_DIR)'))
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      // Commander's own error lines are dropped: main() prints them as our one line with exit code 2.
      outputError: () => undefined,
      // What is left for this stream is the help shown for a missing command (plain
      // `candor`): that is an answer, not an error, so it goes where help goes.
      writeErr: (text) => process.stdout.write(text),
    });

  // Every command checks a given --config-path, even those that never read the config,
  // so a mistyped path is never accepted silently.
  program.hook('preAction', (_program, action) => {
    // Only `start` is a long-running agent with a log; for the others the agent's info
    // lines would be noise around the answer (CANDOR__LOG__LEVEL still chooses).
    if (action.name() !== 'start' && process.env['CANDOR__LOG__LEVEL'] === undefined) setLogLevel('warn');
    const path = globals(action).configPath;
    if (path === undefined) return;
    try {
      if (!statSync(resolve(path)).isFile()) throw new UsageError(`--config-path ${path}: not a file`);
    } catch (error) {
      throw error instanceof UsageError ? error : new UsageError(`--config-path ${path}: no such file`);
    }
  });
  return program;
}
