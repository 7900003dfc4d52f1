import type { Command } from 'commander';
import { configPathOf, dataDirOf, globals, parsePort } from '../program.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the agent in the foreground (headless: local API and preview page on 127.0.0.1)')
    .option('--headless', 'no desktop shell (the only mode in plain Node)')
    .option('--port <port>', 'local API port (overrides service.http_port; 0 picks a free port)', parsePort)
    .option('--otlp-port <port>', 'OTLP/HTTP intake port (overrides intake.otlp.port; 0 picks a free port)', parsePort)
    .action(async (opts: { port?: number; otlpPort?: number }, command: Command) => {
      const g = globals(command);
      const { runHeadless } = await import('../../headless.js');
      await runHeadless({
        dataDir: dataDirOf(g),
        disableTelemetry: g.disableTelemetry === true,
        configPath: configPathOf(g),
        port: opts.port,
        otlpPort: opts.otlpPort,
      });
    });
}
