import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { exportReportFile, reportJson } from '../../report/export.js';
import { withLocalAgent } from '../local-agent.js';
import { parseLevel, UsageError } from '../program.js';

/** The `--out` folder must exist and be a folder: checked before any work is done. */
function checkOut(out: string): void {
  const dir = dirname(resolve(out));
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: ${dir} is not a directory`);
  } catch (error) {
    throw error instanceof UsageError
      ? error
      : new UsageError(`--out ${out}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('print the report (anonymized unless --raw) or write it to a file')
    .option('--details-level <n>', '0-4; above 4 means 4', parseLevel, 2)
    .option('--raw', 'not anonymized: for your eyes only, never sent')
    .option('--out <file>', 'write to this file (atomically) instead of stdout')
    .action(async (opts: { detailsLevel: number; raw?: boolean; out?: string }, command: Command) => {
      if (opts.out) checkOut(opts.out);
      await withLocalAgent(command, async (agent) => {
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
}
