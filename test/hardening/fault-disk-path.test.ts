import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { fastSendingConfig, sandbox, type Sandbox } from '../support/temp-dirs.js';
import { mountSmallDisk, smallDiskUnavailable, type SmallDisk } from './support/small-disk.js';

// Found by the fault suite: on a full disk the error was Node's "ENOSPC: no space left
// on device, write", which names no file (a failed write(2) has no path). The atomic
// writes (util/atomic-write.ts) and the settings store now say which file.

const probe = mkdtempSync(join(tmpdir(), 'candor-disk-probe-'));
const unavailable = smallDiskUnavailable(probe);
rmSync(probe, { recursive: true, force: true });

describe.skipIf(unavailable !== null)(`errors on a full data directory${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let box: Sandbox;
  let disk: SmallDisk;
  let agent: Agent;
  let reportError = '';
  let settingsError = '';

  beforeAll(async () => {
    box = sandbox('candor-pending-enospc-');
    box.writeConfig('config.yaml', fastSendingConfig('http://127.0.0.1:9/ingest'));
    disk = mountSmallDisk(box.dataDir, 512);
    agent = await createAgent({ mode: 'headless', dataDir: disk.dir, cwd: box.cwd, env: {}, passive: true });
    await agent.api.setConsent({ granted: true });
    // A first report while there is room: its instance id is recorded before it is queued
    // (issue 10 item 4), so the report after the fill gets as far as the outbox write.
    await agent.sendNow();
    disk.fill();
    reportError = await agent.sendNow().then(
      () => '',
      (error: unknown) => (error as Error).message,
    );
    settingsError = await agent.api.pause({ duration: '1h' }).then(
      () => '',
      (error: unknown) => (error as Error).message,
    );
  });
  afterAll(async () => {
    await agent.close();
    disk.free();
    disk.release();
    box.cleanup();
  });

  it('setup: both writes failed for lack of space', () => {
    expect(reportError).toMatch(/ENOSPC/);
    expect(settingsError).toMatch(/ENOSPC/);
  });

  it('a report that cannot be stored: the error names the outbox file', () => {
    expect(reportError).toContain(join(disk.dir, 'outbox'));
  });

  it('a settings change that cannot be stored: the error names settings.json', () => {
    expect(settingsError).toContain(join(disk.dir, 'settings.json'));
  });
});
