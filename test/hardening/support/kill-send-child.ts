import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Ledger } from '../../../main/send/ledger.js';
import { Outbox } from '../../../main/send/outbox.js';
import { Sender } from '../../../main/send/sender.js';
import { reportJson } from './reports.js';

// The program the SIGKILL delivery test runs (bundled by esbuild, see child-bundle.ts):
// the real outbox, ledger and sender on a data directory, sending to a real collector.
// It prints "ready", then, until it is killed, queues a report and delivers it, one after
// the other. Each line it prints is a promise that the step before it completed:
//   added <n>       outbox.add() resolved for report n (with a fresh report_id of its own)
//   delivered <n>   the sender recorded report n as delivered
// Usage: kill-send-child <data dir> <run index> <endpoint> <mode>
//   mode "loop":  queue and deliver until killed
//   mode "drain": queue nothing; deliver what the killed runs left, print "drained", exit 0

const RUN_STRIDE = 100_000;
const [dataDir = '', runArg = '0', endpoint = '', mode = 'loop'] = process.argv.slice(2);
const run = Number(runArg);

const say = (line: string): void => {
  // Synchronous on a pipe: the parent reads the line even if the kill comes next.
  process.stdout.write(`${line}\n`);
};
/** reports.ts gives report n the instance id 00000000-0000-4000-8000-<n, 12 digits>. */
const serialOf = (instanceId: string): number => Number(instanceId.slice(-12));

const outbox = new Outbox({ dir: join(dataDir, 'outbox'), maxCount: 1_000_000 });
const sender = new Sender({
  outbox,
  ledger: new Ledger({ dir: join(dataDir, 'history') }),
  endpoint: () => endpoint,
  gate: () => ({ sending: true }),
  userAgent: 'Candor/kill-send',
  timeoutMs: 10_000,
  baseBackoffMs: 10,
  maxBackoffMs: 40,
  onDelivered: (entry) => say(`delivered ${serialOf(entry.instance_id)}`),
});
say('ready');

if (mode === 'drain') {
  sender.start();
  while ((await outbox.list()).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await sender.stop();
  say('drained');
  process.exit(0);
}

for (let k = 1; k < RUN_STRIDE; k++) {
  const n = run * RUN_STRIDE + k;
  // The id is made when the report is built and stored with it, as the agent does:
  // every later copy of this report, in this process or after a restart, carries it.
  const report = { ...(JSON.parse(reportJson(n)) as Record<string, unknown>), schema_version: 2, report_id: randomUUID() };
  await outbox.add(JSON.stringify(report));
  say(`added ${n}`);
  await sender.flush();
}
