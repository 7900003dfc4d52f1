import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openSettingsStore } from '../../../main/control/settings-store.js';
import { Ledger } from '../../../main/send/ledger.js';
import { Outbox } from '../../../main/send/outbox.js';
import { reportMeta } from '../../../main/send/report-meta.js';
import { seeded } from './random.js';
import { reportJson } from './reports.js';
import { consentAt, RUN_STRIDE } from './kill-protocol.js';

// The program the SIGKILL tests run (bundled by esbuild, see child-bundle.ts): it opens a
// data directory the way the agent does (recovering from whatever the previous, killed
// run left), prints "ready", then writes as fast as it can until it is killed. Each
// line it prints is a promise that the write before it completed:
//   added <n>       outbox.add() resolved for report n
//   delivered <n>   report n is in the ledger and gone from the outbox (what the sender does)
//   settings <s>    settings.update() returned with consent.at = consentAt(s)
// Usage: kill-child <data dir> <run index> <outbox max count> <seed> [ops]
// where ops is a subset of "ads" (add, deliver, settings); default all three.

const [dataDir = '', runArg = '0', maxArg = '100', seedArg = '1', opsArg = 'ads'] = process.argv.slice(2);
const run = Number(runArg);
const random = seeded(Number(seedArg) + run);
const ops = [...opsArg];

const outbox = new Outbox({ dir: join(dataDir, 'outbox'), maxCount: Number(maxArg) });
// Every body is kept, so the accounting can read what each delivered report carried.
const ledger = new Ledger({ dir: join(dataDir, 'history'), keepBodies: 1_000_000 });
const settings = openSettingsStore({ dataDir, watch: false });
const say = (line: string): void => {
  // Synchronous on a pipe: the parent reads the line even if the kill comes next.
  process.stdout.write(`${line}\n`);
};
say('ready');

async function deliverOldest(): Promise<void> {
  const [entry] = await outbox.list();
  if (!entry) return;
  const gz = await outbox.read(entry);
  const json = gunzipSync(gz).toString('utf8');
  const meta = reportMeta(json);
  const sha256 = createHash('sha256').update(json).digest('hex');
  // The sender's order: ledger line first, then the outbox file goes.
  await ledger.append(
    { time: new Date().toISOString(), instance_id: meta.instanceId, details_level: meta.detailsLevel, bytes: gz.length, sha256 },
    json,
  );
  await outbox.remove(entry);
  say(`delivered ${(JSON.parse(json) as { n: number }).n}`);
}

for (let k = 1; k < RUN_STRIDE; k++) {
  const seq = run * RUN_STRIDE + k;
  const op = ops[Math.floor(random() * ops.length)];
  if (op === 'a') {
    await outbox.add(reportJson(seq, outbox.droppedCount()));
    say(`added ${seq}`);
  } else if (op === 'd') {
    await deliverOldest();
  } else {
    settings.update((current) => ({ ...current, consent: { state: 'granted', at: consentAt(seq) } }));
    say(`settings ${seq}`);
  }
}
say('exhausted');
