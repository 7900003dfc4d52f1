import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from './support/child-bundle.js';
import { auditDataDir, type Audit } from './support/data-dir-audit.js';
import { runLane, type LaneRecord } from './support/kill-lane.js';
import { seeded } from './support/random.js';

// Found by the fault suite: the bound deleted the oldest report first and counted the
// drop after (the same shape in reject()), so a kill between the two lost the report
// without a trace. Now the drop is announced before the file goes and counted after
// (dropped-counter.ts intendReturn/settleReturn); here the child is killed right after
// that unlink, every time, and the next start must count it.

let work: string;
let lane: LaneRecord | null = null;
let audit: Audit | null = null;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'candor-pending-drop-'));
  const program = await bundleChild(resolve(import.meta.dirname, 'support/kill-child.ts'), work, 'kill-child');
  const hook = await bundleChild(resolve(import.meta.dirname, 'support/crash-hook.ts'), work, 'crash-hook');
  const dataDir = join(work, 'data');
  // Bound 2, adds only: the third add drops report 1 and the hook kills the child right after the unlink.
  lane = await runLane({
    program,
    dataDir,
    runs: 1,
    maxCount: 2,
    seed: 1,
    random: seeded(1),
    ops: 'a',
    minDelayMs: 20_000,
    maxDelayMs: 20_000,
    nodeArgs: ['--import', hook],
    env: { CANDOR_CRASH_AFTER: 'unlink:.json.gz' },
  });
  audit = await auditDataDir(dataDir, 2);
}, 30_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const missing = (): number[] => [...(lane?.added ?? [])].filter((n) => !audit?.pending.has(n) && !audit?.delivered.has(n));

describe('outbox bound across a kill', () => {
  it('setup: the child died right after the bound deleted its oldest confirmed report', () => {
    expect(lane?.added.size).toBe(2);
    expect(missing()).toHaveLength(1);
  });

  it('counts that dropped report, to be told to the collector by the next one', () => {
    expect(audit?.droppedCounter).toBe(missing().length);
  });
});
