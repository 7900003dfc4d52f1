import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from './support/child-bundle.js';
import { auditDataDir, type Audit } from './support/data-dir-audit.js';
import { runLane } from './support/kill-lane.js';
import { seeded } from './support/random.js';

// PENDING (bug in main/send/ledger.ts, Ledger.append / loadIds): the history line is
// appended before ids.json learns the report's instance id, and at the next start
// loadIds() trusts an existing ids.json as it is. A kill between the two leaves a
// delivered report whose id no deletion request will ever name (an agent gets a new
// id at each start, so this is the first delivery after any restart).
// kill-writes.test.ts sees it at random ("ids_missing_from_ids_json"); here the child
// delivers one report, then dies right after the second delivery's history line.
// When fixed, flip it.fails to it.

let work: string;
let audit: Audit | null = null;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'candor-pending-ids-'));
  const program = await bundleChild(resolve(import.meta.dirname, 'support/kill-child.ts'), work, 'kill-child');
  const hook = await bundleChild(resolve(import.meta.dirname, 'support/crash-hook.ts'), work, 'crash-hook');
  const dataDir = join(work, 'data');
  await runLane({
    program,
    dataDir,
    runs: 1,
    maxCount: 100,
    seed: 3,
    random: seeded(3),
    ops: 'ad',
    minDelayMs: 20_000,
    maxDelayMs: 20_000,
    nodeArgs: ['--import', hook],
    env: { CANDOR_CRASH_AFTER: 'write:history.jsonl:1' },
  });
  audit = await auditDataDir(dataDir, 100);
}, 30_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('instance ids across a kill', () => {
  it('setup: the child died right after its second history line', () => {
    expect(audit?.ledgerIds).toHaveLength(2);
  });

  it.fails('every instance id in the sent history is one a deletion request names after a restart', () => {
    expect(audit?.knownIds).toEqual(expect.arrayContaining(audit?.ledgerIds ?? ['(no audit)']));
  });
});
