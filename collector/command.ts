import { Command, InvalidArgumentError } from 'commander';
import { parseListen } from '../main/control/config-schema.js';

// `candor collector`, as main/cli.ts registers it. Only commander here: the server,
// DuckDB and the rest load when the command runs, so other commands start as fast as before.

function listenArg(value: string): string {
  if (parseListen(value) === null)
    throw new InvalidArgumentError(`expected HOST:PORT (e.g. 127.0.0.1:6335 or [::1]:6335), got ${JSON.stringify(value)}`);
  return value;
}

export function collectorCommand(): Command {
  return new Command('collector')
    .description('receive reports: validate, store (DuckDB, or ClickHouse), aggregate, delete on request (127.0.0.1:6335 by default)')
    .option('--listen <host:port>', 'address to listen on (overrides collector.listen); behind TLS termination for a public one', listenArg)
    .option('--clickhouse <url>', 'store in ClickHouse through its HTTP interface (overrides collector.clickhouse.url)')
    .action(async (opts: { listen?: string; clickhouse?: string }, command: Command) => {
      const globals = command.optsWithGlobals<{ dataDir?: string; configPath?: string }>();
      const { runCollector } = await import('./main.js');
      await runCollector({ listen: opts.listen, clickhouse: opts.clickhouse, dataDir: globals.dataDir, configPath: globals.configPath });
    });
}
