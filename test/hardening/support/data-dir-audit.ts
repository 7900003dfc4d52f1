import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openSettingsStore } from '../../../main/control/settings-store.js';
import { Ledger } from '../../../main/send/ledger.js';
import { Outbox } from '../../../main/send/outbox.js';
import { seqOfConsentAt } from './kill-protocol.js';
import { parseReport } from './reports.js';

// Opens a data directory the SIGKILL children left behind, the way a restarting agent
// would, and says what is in it: pending and delivered reports, the dropped counter,
// the settings, and every file that has no explanation.

export interface Audit {
  /** Serial -> drops it carries, for each report still in the outbox. */
  pending: Map<number, number>;
  /** Serial -> drops it carried, for each report in the ledger (duplicates merged). */
  delivered: Map<number, number>;
  /** Ledger entries in all (a resend after a kill between ledger and outbox counts twice). */
  ledgerEntries: number;
  ledgerIds: string[];
  /** ids.json after the restart. */
  knownIds: string[];
  droppedCounter: number;
  /** Serial of the consent write that settings.json holds (null: defaults). */
  settingsSeq: number | null;
  /** Files nothing explains: a torn write, a stray temp file, a corrupt-file quarantine. */
  unexplained: string[];
  /** Temp files a later start or prune is documented to remove. */
  explainedTemps: string[];
}

const PENDING = /^\d{13}-\d{6}-[0-9a-f]{8}\.json\.gz$/;
const BODY = /^[0-9a-f]{64}\.json$/;
// util/atomic-write.ts temp files in the outbox and the ledger.
const WRITE_TEMP = /^(outbox|history|history\/bodies)\/\.[^/]+\.\d+\.[0-9a-f]{8}\.tmp$/;
const SETTINGS_TEMP = /^(settings\.json\.tmp-.+|\.settings\.json\..+\.tmp)$/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

export async function auditDataDir(dataDir: string, maxCount: number): Promise<Audit> {
  // Open everything first: that is the recovery under test (torn temp files go, claims settle).
  const outbox = new Outbox({ dir: join(dataDir, 'outbox'), maxCount });
  const ledger = new Ledger({ dir: join(dataDir, 'history'), keepBodies: 1_000_000 });
  const settings = openSettingsStore({ dataDir, watch: false });
  const settingsSeq = seqOfConsentAt(settings.get().consent.at);
  settings.close();

  const pending = new Map<number, number>();
  for (const entry of await outbox.list()) {
    const report = parseReport(gunzipSync(await outbox.read(entry)).toString('utf8'));
    if (report === null) throw new Error(`outbox file ${entry.file} is not one of the test's reports`);
    pending.set(report.n, report.dropped);
  }
  const delivered = new Map<number, number>();
  const entries = ledger.list();
  for (const entry of entries) {
    const body = ledger.body(entry.sha256);
    const report = body === null ? null : parseReport(body);
    if (report === null) throw new Error(`ledger entry ${entry.sha256} has no readable body`);
    delivered.set(report.n, report.dropped);
  }

  const unexplained: string[] = [];
  const explainedTemps: string[] = [];
  const historyFile = join(dataDir, 'history', 'history.jsonl');
  const historyLines = existsSync(historyFile)
    ? readFileSync(historyFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
  if (historyLines.length !== entries.length)
    unexplained.push(`history/history.jsonl: ${historyLines.length - entries.length} torn line(s)`);
  const bodies = new Set(entries.map((entry) => `${entry.sha256}.json`));
  for (const path of walk(dataDir)) {
    const rel = relative(dataDir, path);
    const name = rel.split('/').pop() ?? rel;
    if (rel === 'settings.json' || rel === 'outbox/state.json' || rel === 'history/history.jsonl' || rel === 'history/ids.json') continue;
    if (rel.startsWith('outbox/') && !rel.slice('outbox/'.length).includes('/') && PENDING.test(name)) continue;
    // A body whose ledger line a kill prevented: the next prune removes it (ledger.ts).
    if (rel.startsWith('history/bodies/') && BODY.test(name)) {
      if (!bodies.has(name)) explainedTemps.push(rel);
      continue;
    }
    // A write in flight at the kill (a report, state.json, ids.json, a body): the next
    // start removes it once a minute old (util/stale-temp.ts). An older one here would
    // mean the start just done failed to.
    if (WRITE_TEMP.test(rel) && Date.now() - statSync(path).mtimeMs < 60_000) {
      explainedTemps.push(rel);
      continue;
    }
    // A settings write in flight at the kill: purged by the next start once a minute old.
    if (!rel.includes('/') && SETTINGS_TEMP.test(name)) {
      explainedTemps.push(rel);
      continue;
    }
    unexplained.push(`${rel} (${statSync(path).size} bytes)`);
  }

  const knownIds = ledger.ids();
  return {
    pending,
    delivered,
    ledgerEntries: entries.length,
    ledgerIds: [...new Set(entries.map((entry) => entry.instance_id))],
    knownIds,
    droppedCounter: outbox.droppedCount(),
    settingsSeq,
    unexplained,
    explainedTemps,
  };
}
