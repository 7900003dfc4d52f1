import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { fastSendingConfig, sandbox } from '../support/temp-dirs.js';
import { startFaultServer } from './support/fault-server.js';
import { captureLogLines, type LogLines } from './support/log-lines.js';
import { mountSmallDisk, smallDiskUnavailable } from './support/small-disk.js';

// Issue 10 item 4: an instance id is on disk (ids.json, synced) before the first byte of
// a report under it can leave, so a deletion request can always name every id data went
// out under. The data directory is a real tmpfs, filled for real: with no room for the
// id, no report is queued and nothing reaches the collector. The collector itself checks
// ids.json on disk the moment a report arrives.

const probeRoot = mkdtempSync(join(tmpdir(), 'candor-wa-probe-'));
const unavailable = smallDiskUnavailable(probeRoot);
rmSync(probeRoot, { recursive: true, force: true });
const skipReason = unavailable === null ? '' : ` (skipped: ${unavailable}; chmod cannot stop root, so there is no fallback)`;

const cleanups: (() => Promise<void> | void)[] = [];
let logs: LogLines | null = null;
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  logs?.restore();
  logs = null;
});

const idsOn = (dataDir: string): string[] => {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'history', 'ids.json'), 'utf8')) as string[];
  } catch {
    return [];
  }
};

describe.skipIf(unavailable !== null)(`the write-ahead id record on a full disk (a real tmpfs)${skipReason}`, () => {
  it('queues and sends nothing while the id cannot be recorded, and records it before the report leaves once space is back', async () => {
    const box = sandbox('candor-wa-');
    cleanups.push(() => box.cleanup());
    const disk = mountSmallDisk(box.dataDir, 1024);
    cleanups.push(() => {
      disk.free();
      disk.release();
    });
    const collector = await startFaultServer();
    cleanups.push(() => collector.close());
    box.writeConfig('config.yaml', fastSendingConfig(collector.url));
    // What was on disk when each report arrived at the collector.
    const idsAtArrival: string[][] = [];
    collector.plan(() => {
      idsAtArrival.push(idsOn(disk.dir));
      return { status: 200, body: '{}' };
    });

    logs = captureLogLines();
    let agent: Agent = await createAgent({ mode: 'headless', dataDir: disk.dir, cwd: box.cwd, env: {} });
    cleanups.push(() => agent.close());
    await agent.api.setConsent({ granted: true });
    const id = agent.telemetryId;

    disk.fill();
    await agent.sendNow();
    // One line, naming the file that could not be written and why.
    const refused = logs.matching(/telemetry report not queued: its instance id could not be recorded first/);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain(join(disk.dir, 'history', 'ids.json'));
    expect(refused[0]).toMatch(/ENOSPC/);
    expect(readdirSync(join(disk.dir, 'outbox')).filter((name) => name.endsWith('.json.gz'))).toEqual([]);
    expect(collector.seen).toHaveLength(0);
    expect(idsOn(disk.dir)).not.toContain(id);
    // The agent does not claim an id nothing went out under.
    expect((await agent.api.instanceIds({})).ids).not.toContain(id);

    disk.free();
    await agent.sendNow();
    await collector.until(() => collector.accepted.length === 1, 'the report to be delivered');
    expect(JSON.parse(collector.accepted[0] ?? '{}').id).toBe(id);
    expect(idsAtArrival).toEqual([[id]]);
    expect((await agent.api.instanceIds({})).ids).toEqual([id]);

    // And a later start (this disk, same files) knows it.
    await agent.close();
    agent = await createAgent({ mode: 'headless', dataDir: disk.dir, cwd: box.cwd, env: {}, passive: true });
    expect((await agent.api.instanceIds({})).ids).toEqual([id]);
  });
});
