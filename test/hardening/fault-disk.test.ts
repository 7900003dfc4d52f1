import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { Scheduler } from '../../main/send/scheduler.js';
import { APP_ROOT } from '../../main/version.js';
import { fastSendingConfig, sandbox, type Sandbox } from '../support/temp-dirs.js';
import { startFaultServer, type FaultServer } from './support/fault-server.js';
import { recordFigures } from './support/figures.js';
import { captureLogLines, type LogLines } from './support/log-lines.js';
import { mountSmallDisk, smallDiskUnavailable, type SmallDisk } from './support/small-disk.js';

// The data directory stops taking writes: full (ENOSPC) or read-only (EROFS). A real
// tmpfs is mounted as the data directory, filled for real, remounted read-only for
// real. The agent must keep running and answering, say what it cannot write, keep the
// reports it already has, and recover by itself when the disk does.

const probeRoot = mkdtempSync(join(tmpdir(), 'candor-disk-probe-'));
const unavailable = smallDiskUnavailable(probeRoot);
rmSync(probeRoot, { recursive: true, force: true });
const skipReason = unavailable === null ? '' : ` (skipped: ${unavailable}; chmod cannot stop root, so there is no fallback)`;

const cleanups: (() => Promise<void> | void)[] = [];
let logs: LogLines | null = null;
let faults = 0;
let cases = 0;
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  logs?.restore();
  logs = null;
});
afterAll(() => recordFigures('fault-disk', { cases, faults_injected: faults }));

interface Rig {
  box: Sandbox;
  disk: SmallDisk;
  collector: FaultServer;
}

async function rig(): Promise<Rig> {
  const box = sandbox('candor-disk-');
  cleanups.push(() => box.cleanup());
  const disk = mountSmallDisk(box.dataDir, 1024);
  cleanups.push(() => {
    disk.free();
    disk.release();
  });
  const collector = await startFaultServer();
  cleanups.push(() => collector.close());
  box.writeConfig('config.yaml', fastSendingConfig(collector.url));
  return { box, disk, collector };
}

async function agentOn(r: Rig): Promise<Agent> {
  const agent = await createAgent({ mode: 'headless', dataDir: r.disk.dir, cwd: r.box.cwd, env: {} });
  // Closed before the disk is released (cleanups run last-in first-out).
  cleanups.push(() => agent.close());
  await agent.api.setConsent({ granted: true });
  return agent;
}

const pendingFiles = (r: Rig): string[] => readdirSync(join(r.disk.dir, 'outbox')).filter((name) => name.endsWith('.json.gz'));

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(unavailable !== null)(`data directory full (a real 1 MiB tmpfs)${skipReason}`, () => {
  it('keeps running and answering, logs each failed report, still delivers what it had queued, and recovers when space is back', async () => {
    cases += 1;
    const r = await rig();
    logs = captureLogLines();
    const agent = await agentOn(r);
    // One report queued while the collector is busy, so the outbox holds something when the disk fills.
    r.collector.plan((index) => (index === 0 ? { status: 503 } : { status: 200, body: '{}' }));
    await agent.sendNow();
    expect(pendingFiles(r)).toHaveLength(1);

    r.disk.fill();
    faults += 1;
    // The agent's own scheduler wiring, on a short interval: a failed run is logged and the schedule goes on.
    const scheduler = new Scheduler({ firstDelayMs: 0, intervalMs: 20, produce: () => agent.sendNow() });
    scheduler.start();
    cleanups.push(() => scheduler.stop());
    await waitFor(
      () => (logs?.matching(/scheduled telemetry report failed: (cannot write .*: )?ENOSPC/).length ?? 0) >= 3,
      'three failed scheduled reports',
    );
    scheduler.stop();
    // The report queued before the disk filled goes out at the sender's next retry (removing a file needs no space).
    await waitFor(() => r.collector.accepted.length === 1 && pendingFiles(r).length === 0, "the queued report to go at the sender's retry");
    // The ledger could not record it, and says so naming the report.
    expect(
      logs.matching(/was delivered but the sent-history ledger could not record it: (cannot write .*: )?ENOSPC/).length,
    ).toBeGreaterThanOrEqual(1);

    // Still answering: status, preview; a settings change is refused with the reason, not a crash.
    r.disk.fill(); // the delivered report's file freed a few pages
    expect((await agent.api.status({})).sending).toBe(true);
    expect((await agent.api.preview({ details_level: 2, anonymize: true })).payload.details_level).toBe(2);
    await expect(agent.api.pause({ duration: '1h' })).rejects.toThrow(/ENOSPC/);

    r.disk.free();
    await agent.sendNow();
    expect(r.collector.accepted).toHaveLength(2);
    expect(pendingFiles(r)).toEqual([]);
    expect((await agent.api.history({})).entries).toHaveLength(1);
    await agent.api.pause({ duration: '1h' });
    expect((await agent.api.status({})).sending).toBe(false);
  });
});

describe.skipIf(unavailable !== null)(`data directory read-only (a real tmpfs remounted ro)${skipReason}`, () => {
  it('keeps running, names the file it cannot write, keeps the queued reports, and recovers after remount rw', async () => {
    cases += 1;
    const r = await rig();
    logs = captureLogLines();
    const agent = await agentOn(r);
    r.collector.plan(() => ({ status: 503 }));
    await agent.sendNow();
    await agent.sendNow();
    expect(pendingFiles(r)).toHaveLength(2);

    r.disk.readOnly();
    faults += 1;
    const before = r.collector.seen.length;
    await expect(agent.sendNow()).rejects.toThrow(new RegExp(`EROFS.*${join(r.disk.dir, 'outbox').replace(/[/.]/g, '\\$&')}`));
    await expect(agent.api.resume({})).rejects.toThrow(/EROFS.*settings\.json/);
    expect((await agent.api.status({})).sending).toBe(true);
    // Nothing was sent by the failed report, and the two queued ones are intact.
    expect(r.collector.seen.length).toBe(before);
    expect(pendingFiles(r)).toHaveLength(2);

    r.disk.readWrite();
    r.collector.plan(() => ({ status: 200, body: '{}' }));
    await agent.sendNow();
    await waitFor(() => pendingFiles(r).length === 0, 'the outbox to drain');
    expect(r.collector.accepted).toHaveLength(3);
    expect((await agent.api.history({})).entries).toHaveLength(3);
  });
});

describe.skipIf(unavailable !== null)(`the headless agent process on a disk that fills, then turns read-only${skipReason}`, () => {
  it('keeps serving its API, answers a refused write with the reason, and writes again once the disk is back', async () => {
    cases += 1;
    const r = await rig();
    const child: ChildProcess = spawn(
      process.execPath,
      [join(APP_ROOT, 'dist/main/cli.js'), 'start', '--headless', '--port', '0', '--data-dir', r.disk.dir],
      {
        cwd: r.box.cwd,
        env: { PATH: process.env['PATH'] ?? '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    });
    await waitFor(() => /local API: .*"(http:\/\/127\.0\.0\.1:\d+\/)/.test(stderr), 'the agent to print its API address', 20_000);
    const base = /"(http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr)?.[1] ?? '';
    const token = readFileSync(join(r.disk.dir, 'api-token'), 'utf8').trim();
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string }> => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    };

    r.disk.fill();
    faults += 1;
    const full = await call('POST', '/pause', { duration: '1h' });
    expect(full.status).toBe(500);
    expect(full.text).toMatch(/ENOSPC/);
    expect((await call('GET', '/status')).status).toBe(200);

    r.disk.readOnly();
    faults += 1;
    const readOnly = await call('POST', '/pause', { duration: '1h' });
    expect(readOnly.status).toBe(500);
    expect(readOnly.text).toMatch(/EROFS.*settings\.json/);
    expect((await call('GET', '/status')).status).toBe(200);
    expect((await call('GET', '/telemetry?details_level=1&anonymize=true')).status).toBe(200);

    r.disk.readWrite();
    r.disk.free();
    expect((await call('POST', '/pause', { duration: '1h' })).status).toBe(200);
    expect(JSON.parse((await call('GET', '/status')).text)).toMatchObject({ result: { sending: false } });
    expect(child.exitCode).toBeNull();
  }, 40_000);
});
