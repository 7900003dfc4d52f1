import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from './support/child-bundle.js';
import { auditDataDir, type Audit } from './support/data-dir-audit.js';
import { runLane } from './support/kill-lane.js';
import { seeded } from './support/random.js';

// A kill right after a delivery's history line is written: the report's instance id
// must still be one a deletion request names after the restart (an agent gets a new id
// at each start, so this is the first delivery after any restart). Found open by the
// SIGKILL loop (the line went before ids.json); fixed in 8dc1111 (ledger.ts records the
// id first, and loadIds() unions ids.json with the history lines). Here the child
// delivers one report, then dies right after the second delivery's history line.

let work: string;
let audit: Audit | null = null;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'candor-kill-ids-'));
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

  it('every instance id in the sent history is one a deletion request names after a restart', () => {
    expect(audit?.knownIds).toEqual(expect.arrayContaining(audit?.ledgerIds ?? ['(no audit)']));
  });
});
