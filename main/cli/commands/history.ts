import type { Command } from 'commander';
import { deletionReceiptLine } from '../../send/deletion-text.js';
import { withLocalAgent } from '../local-agent.js';

// What this machine has delivered: read from the ledger in the data directory, which
// is the same file whether or not an agent runs.

export function registerHistoryCommands(program: Command): void {
  program
    .command('history')
    .description('reports this machine has delivered, and the receipts of its deletion requests')
    .option('--json', 'machine-readable')
    .option('--clear', 'forget the history (instance ids are kept for deletion requests)')
    .action(async (opts: { json?: boolean; clear?: boolean }, command: Command) => {
      await withLocalAgent(command, async (agent) => {
        if (opts.clear) {
          const { cleared } = await agent.api.clearHistory({});
          process.stdout.write(`cleared ${cleared} entries\n`);
          return;
        }
        const history = await agent.api.history({});
        if (opts.json) {
          // The call's own shape, so a script reads the receipts beside the reports.
          process.stdout.write(`${JSON.stringify(history)}\n`);
          return;
        }
        const { entries, deletions } = history;
        if (entries.length === 0)
          // After --clear the receipts are still there: saying "nothing sent" above them would be wrong.
          process.stdout.write(deletions.length === 0 ? 'nothing sent yet\n' : 'no delivered report in the history\n');
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
      await withLocalAgent(command, async (agent) => {
        const { ids } = await agent.api.instanceIds({});
        process.stdout.write(ids.length ? `${ids.join('\n')}\n` : 'nothing sent yet\n');
      });
    });

  program
    .command('request-deletion')
    .description('print a deletion request for every id sent from here; --send queues it to the deletion endpoint')
    .option('--send', 'send it to telemetry.deletion_endpoint (retried until delivered)')
    .action(async (opts: { send?: boolean }, command: Command) => {
      await withLocalAgent(command, async (agent) => {
        const request = await agent.api.requestDeletion({ send: opts.send === true });
        process.stdout.write(`${request.text}\n`);
        if (opts.send) process.stderr.write(`deletion request: ${request.delivery}\n`);
      });
    });
}
