import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';
import { Outbox } from '../../main/send/outbox.js';
import { Sender } from '../../main/send/sender.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { startFaultServer, type FaultServer } from './support/fault-server.js';
import { reportId, reportJson } from './support/reports.js';
import { mountSmallDisk, smallDiskUnavailable, type SmallDisk } from './support/small-disk.js';
import { captureLogLines, type LogLines } from './support/log-lines.js';

// Found by the fault suite: when the data directory turns read-only (Linux remounts
// ext4 ro on I/O errors) with reports queued, each report was delivered, its removal
// failed with EROFS, and the retry sent the *same* report again, at every retry. Now the
// sender remembers what it delivered and retries only the removal (sender.ts).

const probe = mkdtempSync(join(tmpdir(), 'candor-disk-probe-'));
const unavailable = smallDiskUnavailable(probe);
rmSync(probe, { recursive: true, force: true });

describe.skipIf(unavailable !== null)(`delivery from a read-only outbox${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let box: Sandbox;
  let disk: SmallDisk;
  let collector: FaultServer;
  let sender: Sender;
  let logs: LogLines;
  const removalFailures = (): string[] => logs.matching(/telemetry delivery failed: EROFS.*unlink '.*\.json\.gz'/);

  beforeAll(async () => {
    box = sandbox('candor-pending-ro-');
    disk = mountSmallDisk(box.dataDir, 512);
    collector = await startFaultServer();
    const outbox = new Outbox({ dir: join(disk.dir, 'outbox') });
    const ledger = new Ledger({ dir: join(disk.dir, 'history') });
    await outbox.add(reportJson(1));
    // As the agent does before it queues a report: its instance id is on disk first
    // (without that record, the sender would not send it at all).
    ledger.recordIdDurably(reportId(1));
    logs = captureLogLines();
    disk.readOnly();
    sender = new Sender({
      outbox,
      ledger,
      endpoint: () => collector.url,
      gate: () => ({ sending: true }),
      userAgent: 'Candor/hardening',
      baseBackoffMs: 10,
      maxBackoffMs: 20,
      random: () => 0.5,
    });
    sender.start();
    // The first delivery happens at once; each retry after it logs the failed removal
    // again. Four lines: the first attempt and three retries, each of which could have resent.
    await collector.until(() => collector.accepted.length >= 1, 'the first delivery');
    await collector.until(() => removalFailures().length >= 4, 'four failed removals (the first attempt and three retries)');
    await sender.stop();
  });
  afterAll(async () => {
    logs.restore();
    await collector.close();
    disk.readWrite();
    disk.release();
    box.cleanup();
  });

  it('setup: the report was delivered and its removal failed for the read-only disk, naming the file', () => {
    expect(collector.accepted.length).toBeGreaterThanOrEqual(1);
    expect(removalFailures().length).toBeGreaterThanOrEqual(4);
  });

  it('the report is sent once, not again at every retry', () => {
    expect(collector.accepted).toHaveLength(1);
    expect(collector.seen).toHaveLength(1);
  });
});
