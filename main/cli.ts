#!/usr/bin/env node
import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { collectorCommand } from '../collector/command.js';
import type { Agent } from './agent.js';
import { createAgent } from './agent.js';
import { PAUSE_DURATIONS, type PauseDuration } from './api.js';
import { ConfigError } from './control/config-load.js';
import { resolveDataDir } from './control/paths.js';
import { exportReportFile, reportJson } from './report/export.js';
import { payloadSchema } from './report/validate.js';
import { deletionReceiptLine } from './send/deletion-text.js';
import { readApiToken } from './util/api-token.js';
import { LockedError, liveLock } from './util/instance-lock.js';
import { log, setLogLevel } from './util/log.js';
import { VERSION } from './version.js';

// Every command: exit 0 on success, 1 when the operation failed, 2 with one line
// naming the argument when the command line (or the config it points to) is wrong.

class UsageError extends Error {}

interface GlobalOptions {
  disableTelemetry?: boolean;
  configPath?: string;
  dataDir?: string;
}

function parseLevel(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Math.min(Number(value), 4);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got ${JSON.stringify(value)}`);
  return port;
}

function parsePause(value: string): PauseDuration {
  if (!(PAUSE_DURATIONS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${PAUSE_DURATIONS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as PauseDuration;
}

function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

function dataDirOf(opts: GlobalOptions): string {
  const dir = resolveDataDir({ flag: opts.dataDir, env: process.env });
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--data-dir ${dir}: exists and is not a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--data-dir ${dir}: ${(error as Error).message}`);
  }
  return dir;
}

async function withAgent<T>(command: Command, run: (agent: Agent) => Promise<T>, mode: 'cli' = 'cli'): Promise<T> {
  const opts = globals(command);
  const agent = await createAgent({
    mode,
    passive: true,
    dataDir: dataDirOf(opts),
    disableTelemetry: opts.disableTelemetry === true,
    configPath: opts.configPath ? resolve(opts.configPath) : undefined,
  });
  try {
    return await run(agent);
  } finally {
    await agent.close();
  }
}

function printStatus(status: { sending: boolean; collecting: boolean; reasons: string[] }, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ collecting: status.collecting, sending: status.sending, reasons: status.reasons })}\n`);
    return;
  }
  process.stdout.write(`sending: ${status.sending ? 'on' : 'off'}\ncollecting: ${status.collecting ? 'on' : 'off'}\n`);
  for (const reason of status.reasons) process.stdout.write(`  - ${reason}\n`);
}

/** Talk to a running agent (for state that lives in its memory, like pause-until-restart). */
async function callRunningAgent(dataDir: string, path: string, body: unknown): Promise<unknown> {
  const lock = liveLock(dataDir);
  const token = readApiToken(dataDir);
  if (!lock?.port || !token)
    throw new Error('no running agent on this data directory: "until-restart" pauses a running agent (start one with `candor start`)');
  const response = await fetch(`http://127.0.0.1:${lock.port}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const envelope = (await response.json()) as { result?: unknown; status: unknown };
  if (!response.ok) throw new Error(`agent answered ${response.status}: ${JSON.stringify(envelope.status)}`);
  return envelope.result;
}

export function buildProgram(): Command {
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
      // Commander's own errors become our single line (see main) with exit code 2.
      writeErr: (text) => {
        if (!text.startsWith('error:')) process.stderr.write(text);
      },
    });

  // Every command checks a given --config-path, even those that never read the config,
  // so a mistyped path is never accepted silently.
  program.hook('preAction', (_program, action) => {
    const path = globals(action).configPath;
    if (path === undefined) return;
    try {
      if (!statSync(resolve(path)).isFile()) throw new UsageError(`--config-path ${path}: not a file`);
    } catch (error) {
      throw error instanceof UsageError ? error : new UsageError(`--config-path ${path}: no such file`);
    }
  });

  program
    .command('start')
    .description('run the agent in the foreground (headless: local API and preview page on 127.0.0.1)')
    .option('--headless', 'no desktop shell (the only mode in plain Node)')
    .option('--port <port>', 'local API port (overrides service.http_port)', parsePort)
    .action(async (opts: { port?: number }, command: Command) => {
      const g = globals(command);
      const { runHeadless } = await import('./headless.js');
      await runHeadless({
        dataDir: dataDirOf(g),
        disableTelemetry: g.disableTelemetry === true,
        configPath: g.configPath ? resolve(g.configPath) : undefined,
        port: opts.port,
      });
    });

  program
    .command('report')
    .description('print the report (anonymized unless --raw) or write it to a file')
    .option('--details-level <n>', '0-4; above 4 means 4', parseLevel, 2)
    .option('--raw', 'not anonymized: for your eyes only, never sent')
    .option('--out <file>', 'write to this file (atomically) instead of stdout')
    .action(async (opts: { detailsLevel: number; raw?: boolean; out?: string }, command: Command) => {
      if (opts.out) {
        const dir = dirname(resolve(opts.out));
        try {
          if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${opts.out}: ${dir} is not a directory`);
        } catch (error) {
          throw error instanceof UsageError
            ? error
            : new UsageError(
                `--out ${opts.out}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
              );
        }
      }
      await withAgent(command, async (agent) => {
        const { payload } = await agent.api.preview({ details_level: opts.detailsLevel, anonymize: opts.raw !== true });
        if (!opts.out) {
          process.stdout.write(reportJson(payload));
          return;
        }
        try {
          const written = await exportReportFile(resolve(opts.out), payload);
          process.stderr.write(`wrote ${written.bytes} bytes to ${written.path}\n`);
        } catch (error) {
          throw new UsageError(`--out ${opts.out}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
        }
      });
    });

  program
    .command('status')
    .description('whether telemetry is sending, and every reason it is not')
    .option('--json', 'print {"collecting", "sending", "reasons"}')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await withAgent(command, async (agent) => printStatus(await agent.api.status({}), opts.json === true));
    });

  program
    .command('consent')
    .description('grant or revoke consent to send anonymized reports')
    .argument('<answer>', 'grant | revoke', (value: string) => {
      if (value !== 'grant' && value !== 'revoke') throw new InvalidArgumentError(`expected grant or revoke, got ${JSON.stringify(value)}`);
      return value;
    })
    .action(async (answer: 'grant' | 'revoke', _opts: unknown, command: Command) => {
      await withAgent(command, async (agent) => printStatus(await agent.api.setConsent({ granted: answer === 'grant' }), false));
    });

  program
    .command('pause')
    .description('pause sending')
    .option('--for <duration>', `${PAUSE_DURATIONS.join(' | ')}`, parsePause, '1h' as PauseDuration)
    .action(async (opts: { for: PauseDuration }, command: Command) => {
      if (opts.for === 'until-restart') {
        const result = (await callRunningAgent(dataDirOf(globals(command)), '/pause', { duration: 'until-restart' })) as {
          sending: boolean;
          collecting: boolean;
          reasons: string[];
        };
        printStatus(result, false);
        return;
      }
      await withAgent(command, async (agent) => printStatus(await agent.api.pause({ duration: opts.for }), false));
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
        await withAgent(command, async (agent) => printStatus(await agent.api[name]({}), false));
      });
  }

  program
    .command('history')
    .description('reports this machine has delivered')
    .option('--json', 'machine-readable')
    .option('--clear', 'forget the history (instance ids are kept for deletion requests)')
    .action(async (opts: { json?: boolean; clear?: boolean }, command: Command) => {
      await withAgent(command, async (agent) => {
        if (opts.clear) {
          const { cleared } = await agent.api.clearHistory({});
          process.stdout.write(`cleared ${cleared} entries\n`);
          return;
        }
        const { entries, deletions } = await agent.api.history({});
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(entries)}\n`);
          return;
        }
        if (entries.length === 0) process.stdout.write('nothing sent yet\n');
        for (const e of entries)
          process.stdout.write(
            `${e.time}  ${e.instance_id}  level ${e.details_level}  ${e.bytes} bytes  sha256 ${e.sha256.slice(0, 12)}\n`,
          );
        for (const d of deletions) process.stdout.write(`${deletionReceiptLine(d)}\n`);
      });
    });

  program
    .command('ids')
    .description('every instance id this machine has sent under (quote them to request deletion)')
    .action(async (_opts: unknown, command: Command) => {
      await withAgent(command, async (agent) => {
        const { ids } = await agent.api.instanceIds({});
        process.stdout.write(ids.length ? `${ids.join('\n')}\n` : 'nothing sent yet\n');
      });
    });

  program
    .command('request-deletion')
    .description('print a deletion request for every id sent from here; --send queues it to the deletion endpoint')
    .option('--send', 'send it to telemetry.deletion_endpoint (retried until delivered)')
    .action(async (opts: { send?: boolean }, command: Command) => {
      await withAgent(command, async (agent) => {
        const request = await agent.api.requestDeletion({ send: opts.send === true });
        process.stdout.write(`${request.text}\n`);
        if (opts.send) process.stderr.write(`deletion request: ${request.delivery}\n`);
      });
    });

  program
    .command('api-token')
    .description("print the running agent's local API token")
    .action((_opts: unknown, command: Command) => {
      const dir = dataDirOf(globals(command));
      const token = readApiToken(dir);
      if (!token || !liveLock(dir)) throw new Error(`no running agent on ${dir} (start one with \`candor start\`)`);
      process.stdout.write(`${token}\n`);
    });

  program
    .command('schema')
    .description("print the payload JSON Schema (with each field's level and anonymization rule)")
    .action(() => {
      process.stdout.write(`${JSON.stringify(payloadSchema(), null, 2)}\n`);
    });

  program.addCommand(collectorCommand().copyInheritedSettings(program));

  return program;
}

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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      process.stderr.write(`candor: ${commanderMessage(program, error)}\n`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`candor: ${error.message}\n`);
      return 2;
    }
    if (error instanceof LockedError) {
      process.stderr.write(`candor: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`candor: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

// Run only as the entry point, so tests can import buildProgram/main.
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
