import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentStatus } from '../../main/api.js';
import type { DesktopAutomation } from '../../main/desktop/automation.js';
import { CALL_NAMES, type IpcResult } from '../../main/transport/ipc-channels.js';
import { setLogSink } from '../../main/util/log.js';
import { recorder, type FakeTray, type FakeWindow } from './fake-electron.js';

// main/desktop/main.ts with the real agent on a temp data dir; only Electron is faked
// (runner level) and electron-store is replaced by conf, the class it extends.
vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron);
vi.mock('electron-store', async () => ({ default: (await import('conf')).default }));

const KEY = Symbol.for('candor.desktop');
let dataDir: string;
const savedArgv = process.argv;
const savedEnv = { ...process.env };

async function startApp(): Promise<DesktopAutomation> {
  Reflect.deleteProperty(globalThis, KEY);
  recorder.reset();
  vi.resetModules();
  await import('../../main/desktop/main.js');
  await vi.waitFor(() => expect(Reflect.get(globalThis, KEY)).toBeDefined(), { timeout: 30_000, interval: 50 });
  return Reflect.get(globalThis, KEY) as DesktopAutomation;
}

async function quitApp(): Promise<void> {
  const { fakeElectron } = await import('./fake-electron.js');
  fakeElectron.app.quit();
  await vi.waitFor(() => expect(recorder.quitCount).toBe(1), { timeout: 10_000 });
}

function tray(): FakeTray {
  const found = recorder.trays[0];
  if (!found) throw new Error('no tray');
  return found;
}

function labels(): string[] {
  return (tray().menu as { label?: string }[]).flatMap((item) => (item.label ? [item.label] : []));
}

function window(): FakeWindow {
  const found = recorder.windows[0];
  if (!found) throw new Error('no window');
  return found;
}

async function call(channel: string, raw: unknown, from = window()): Promise<IpcResult> {
  const handler = recorder.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return (await handler({ senderFrame: { url: from.webContents.getURL() }, sender: { id: from.webContents.id } }, raw)) as IpcResult;
}

beforeAll(() => {
  setLogSink(() => undefined);
  dataDir = mkdtempSync(join(tmpdir(), 'candor-desktop-'));
  // An endpoint (never contacted: nothing is sent in these tests before consent, and the
  // pause is tested on its own), so that a pause is the only thing that stops sending.
  const config = join(dataDir, 'operator.yaml');
  writeFileSync(config, 'telemetry:\n  endpoint: http://127.0.0.1:9/ingest\n  first_delay_s: 3600\n');
  process.argv = [...savedArgv, `--data-dir=${dataDir}`, `--config-path=${config}`];
  process.env = Object.fromEntries(Object.entries(savedEnv).filter(([key]) => key !== 'DO_NOT_TRACK' && !key.startsWith('CANDOR')));
});

afterAll(() => {
  process.argv = savedArgv;
  process.env = savedEnv;
  Reflect.deleteProperty(globalThis, KEY);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('desktop main process wiring (main.ts, real agent, fake Electron)', () => {
  let handle: DesktopAutomation;

  it('starts as a single instance, registers the scheme before ready and isolates its profile', async () => {
    handle = await startApp();
    expect(recorder.steps.indexOf('registerSchemesAsPrivileged')).toBeLessThan(recorder.steps.indexOf('whenReady'));
    expect(recorder.steps.indexOf('requestSingleInstanceLock')).toBeLessThan(recorder.steps.indexOf('whenReady'));
    expect(recorder.steps).toContain('protocol.handle:candor');
    expect(recorder.steps).toContain('setPermissionRequestHandler');
    expect(recorder.paths.get('userData')).toBe(join(dataDir, 'electron'));
    expect(recorder.appListeners.has('window-all-closed')).toBe(true);
  });

  it('first run opens the consent window, locked down, at #consent', () => {
    expect(recorder.windows).toHaveLength(1);
    expect(window().loaded).toEqual(['candor://app/index.html#consent']);
    expect(window().options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String(window().options.webPreferences['preload'])).toMatch(/preload\.cjs$/);
  });

  it('the tray shows the off state and asks for consent', () => {
    expect((tray().image as { path: string }).path).toMatch(/build[\\/]icons[\\/]tray-off\.png$/);
    expect(existsSync((tray().image as { path: string }).path)).toBe(true);
    expect(labels()).toContain('Review and consent…');
    expect(tray().tooltip).toMatch(/^Candor: /);
  });

  it('serves every contract call over IPC to our window only', async () => {
    expect(recorder.handlers.size).toBe(CALL_NAMES.length);
    expect(CALL_NAMES).toContain('answerSource');
    const status = await call('candor:status', {});
    expect(status.ok && (status.value as AgentStatus).consent).toBe('unset');
    const foreign = await recorder.handlers.get('candor:status')?.(
      { senderFrame: { url: 'https://evil.example/' }, sender: { id: 9999 } },
      {},
    );
    expect(foreign).toMatchObject({ ok: false, error: { message: 'status: refused: the sender is not a Candor window' } });
  });

  it('consent given in the window reaches the agent, the window and the tray', async () => {
    const result = await call('candor:setConsent', { granted: true });
    expect(result.ok).toBe(true);
    const pushed = window().webContents.sent.filter(([channel]) => channel === 'candor:status-changed');
    expect(pushed.at(-1)?.[1]).toMatchObject({ consent: 'granted' });
    expect(labels()).toContain('Open preview…');
    expect(labels()).not.toContain('Review and consent…');
  });

  it('tray actions go through the agent: pause shows the paused icon and Resume', async () => {
    await handle.trayAction('pause-1h');
    expect((tray().image as { path: string }).path).toMatch(/tray-paused\.png$/);
    expect(labels()).toContain('Resume');
    expect(handle.trayMenu()[0]).toMatchObject({ enabled: false });
    await handle.trayAction('resume');
    expect(labels()).not.toContain('Resume');
  });

  it('Export report… writes the file chosen in the save dialog; cancel writes nothing', async () => {
    recorder.saveDialogPath = join(dataDir, 'exported.json');
    await handle.trayAction('export-report');
    const report = JSON.parse(readFileSync(join(dataDir, 'exported.json'), 'utf8')) as Record<string, unknown>;
    expect(report).toHaveProperty('schema_version');
    expect(report['details_level']).toBe(4);
    recorder.saveDialogPath = null;
    rmSync(join(dataDir, 'exported.json'));
    await handle.trayAction('export-report');
    expect(existsSync(join(dataDir, 'exported.json'))).toBe(false);
    expect(recorder.steps.filter((s) => s.startsWith('error:'))).toEqual([]);
  });

  it('Request data deletion… puts the ready text on the clipboard', async () => {
    recorder.messageBoxResponse = 0;
    await handle.trayAction('request-deletion');
    expect(recorder.clipboard).toHaveLength(1);
    expect(recorder.clipboard[0]?.length).toBeGreaterThan(0);
    // Nothing was sent yet and no deletion address is set: no "Send request" button, so
    // the buttons are Copy text, Open in preview, Close.
    expect(recorder.messageBoxes.at(-1)?.buttons).toEqual(['Copy text', 'Open in preview', 'Close']);
    recorder.messageBoxResponse = 1;
    await handle.trayAction('request-deletion');
    expect(window().loaded.at(-1)).toBe('candor://app/index.html#deletion');
  });

  it('a second instance focuses the preview', () => {
    window().close();
    expect(handle.windowCount()).toBe(0);
    recorder.appListeners.get('second-instance')?.forEach((listener) => listener());
    expect(handle.windowCount()).toBe(1);
    expect(recorder.windows.at(-1)?.loaded).toEqual(['candor://app/index.html']);
  });

  it('quit closes the agent first, then quits; IPC and tray are gone', async () => {
    await quitApp();
    expect(recorder.handlers.size).toBe(0);
    expect(tray().destroyed).toBe(true);
  });

  it('on the next start consent is remembered and no window opens', async () => {
    handle = await startApp();
    expect(recorder.windows).toHaveLength(0);
    expect(labels()).toContain('Open preview…');
    await quitApp();
    expect(existsSync(join(dataDir, 'agent.lock'))).toBe(false);
  });

  it('refuses to start beside another agent on the same data directory, naming it', async () => {
    const { acquireLock } = await import('../../main/util/instance-lock.js');
    const { spawn } = await import('node:child_process');
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dataDir, 'agent.lock'), JSON.stringify({ pid: holder.pid, started_at: 'earlier', port: 6334 }));
      Reflect.deleteProperty(globalThis, KEY);
      recorder.reset();
      vi.resetModules();
      await import('../../main/desktop/main.js');
      await vi.waitFor(() => expect(recorder.exited).toBe(1), { timeout: 10_000 });
      expect(
        recorder.steps.some((step) => step.startsWith('error:Candor is already running') && step.includes(`pid ${String(holder.pid)}`)),
      ).toBe(true);
      expect(recorder.trays).toHaveLength(0);
    } finally {
      const gone = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await gone;
    }
    // With the holder gone, its lock is stale and taken over.
    acquireLock(dataDir).release();
  });
});
