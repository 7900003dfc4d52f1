#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { collectorCommand } from '../collector/command.js';
import { registerHistoryCommands } from './cli/commands/history.js';
import { registerReportCommand } from './cli/commands/report.js';
import { registerStartCommand } from './cli/commands/start.js';
import { registerSourcesCommand } from './cli/commands/sources.js';
import { registerStateCommands } from './cli/commands/state.js';
import { registerToolCommands } from './cli/commands/tools.js';
import { exitCodeOf } from './cli/exit.js';
import { createProgram } from './cli/program.js';
import { log, setLogLevel } from './util/log.js';

// The `candor` command. Every command: exit 0 on success, 1 when the operation failed,
// 2 with one line naming the argument when the command line (or the config it points
// to) is wrong. The commands live in main/cli/commands/, one file per group.

export function buildProgram(): Command {
  const program = createProgram();
  registerStartCommand(program);
  registerReportCommand(program);
  registerStateCommands(program);
  registerHistoryCommands(program);
  registerSourcesCommand(program);
  registerToolCommands(program);
  program.addCommand(collectorCommand().copyInheritedSettings(program));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    const { code, message } = exitCodeOf(program, error);
    if (message !== null) process.stderr.write(`candor: ${message}\n`);
    return code;
  }
}

// Run only as the entry point, so tests and scripts/start.mjs can import main.
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (isEntryPoint()) {
  const level = process.env['CANDOR__LOG__LEVEL'];
  if (level === 'debug' || level === 'warn' || level === 'error' || level === 'info') setLogLevel(level);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      log.error((error as Error).message);
      process.exitCode = 1;
    },
  );
}
