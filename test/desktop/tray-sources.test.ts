import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentStatus, PreviewResult, SourcesResult } from '../../main/api.js';
import type { DesktopAutomation } from '../../main/desktop/automation.js';
import type { IpcResult } from '../../main/transport/ipc-channels.js';
import { intakePortFromLog, postMetrics } from '../renderer/otlp-post.js';
import { recorder, type FakeTray, type FakeWindow } from './fake-electron.js';

// The tray's Apps submenu with the real agent and its real OTLP intake (main.ts, fake
// Electron at the runner level): an app that posts metrics shows up as waiting, and
// the menu's Allow and Deny reach the agent, whose answer the menu then shows.

vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron);
vi.mock('electron-store', async () => ({ default: (await import('conf')).default }));

const KEY = Symbol.for('candor.desktop');
const APP = 'shop-api';
let dataDir: string;
const logLines: string[] = [];
const savedArgv = process.argv;
const savedEnv = { ...process.env };
let handle: DesktopAutomation;
let intakePort = 0;

/** A native menu item as the fake Menu.buildFromTemplate keeps it. */
interface NativeItem {
  label?: string;
  enabled?: boolean;
  id?: string;
  type?: string;
  click?: () => void;
  submenu?: NativeItem[];
}

function tray(): FakeTray {
  const found = recorder.trays[0];
  if (!found) throw new Error('no tray');
  return found;
}

const menu = (): NativeItem[] => tray().menu as NativeItem[];
const labels = (items: NativeItem[]): string[] => items.flatMap((item) => (item.label ? [item.label] : []));

function submenu(items: NativeItem[], label: RegExp): NativeItem[] {
  const found = items.find((item) => item.label !== undefined && label.test(item.label));
  if (!found?.submenu) throw new Error(`no submenu ${String(label)} in ${labels(items).join(' | ')}`);
  return found.submenu;
}

function appItem(label: 'Allow' | 'Deny'): NativeItem {
  const item = submenu(submenu(menu(), /^Apps\b/), new RegExp(`^${APP}: `)).find((entry) => entry.label === label);
  if (!item) throw new Error(`no ${label} item`);
  return item;
}

/** A contract call as our preview window makes it (opened once for these calls). */
async function call<T>(name: string, input: unknown): Promise<T> {
  let window = recorder.windows.find((w) => !w.destroyed) as FakeWindow | undefined;
  if (!window) {
    handle.openPreview();
    window = recorder.windows.at(-1);
  }
  const handler = recorder.handlers.get(`candor:${name}`);
  if (!handler || !window) throw new Error(`cannot call ${name}`);
  const result = (await handler(
    { senderFrame: { url: window.webContents.getURL() }, sender: { id: window.webContents.id } },
    input,
  )) as IpcResult;
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as T;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'candor-tray-sources-'));
  const config = join(dataDir, 'operator.yaml');
  writeFileSync(config, 'telemetry:\n  endpoint: http://127.0.0.1:9/ingest\n  first_delay_s: 3600\n');
  process.argv = [...savedArgv, `--data-dir=${dataDir}`, `--config-path=${config}`];
  process.env = {
    ...Object.fromEntries(Object.entries(savedEnv).filter(([key]) => key !== 'DO_NOT_TRACK' && !key.startsWith('CANDOR'))),
    // Any free port: 4318 may belong to another agent or collector on this machine.
    CANDOR__INTAKE__OTLP__PORT: '0',
    CANDOR__LOG__LEVEL: 'info',
  };
  Reflect.deleteProperty(globalThis, KEY);
  recorder.reset();
  vi.resetModules();
  // The log module main.ts is about to load: its lines name the intake's port.
  const { setLogSink } = await import('../../main/util/log.js');
  setLogSink((_level, line) => void logLines.push(line));
  await import('../../main/desktop/main.js');
  await vi.waitFor(() => expect(Reflect.get(globalThis, KEY)).toBeDefined(), { timeout: 30_000, interval: 50 });
  handle = Reflect.get(globalThis, KEY) as DesktopAutomation;
  await vi.waitFor(() => expect(intakePortFromLog(logLines)).not.toBeNull(), { timeout: 30_000, interval: 50 });
  intakePort = intakePortFromLog(logLines) ?? 0;
});

afterAll(async () => {
  const { fakeElectron } = await import('./fake-electron.js');
  fakeElectron.app.quit();
  await vi.waitFor(() => expect(recorder.quitCount).toBe(1), { timeout: 10_000 });
  process.argv = savedArgv;
  process.env = savedEnv;
  Reflect.deleteProperty(globalThis, KEY);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('tray: apps reporting through Candor (real agent and intake, fake Electron)', () => {
  it('before any app: the Apps submenu says none reports yet', () => {
    expect(submenu(menu(), /^Apps$/).map((item) => item.label ?? '---')).toEqual([
      'No app reports through Candor yet',
      '---',
      'Show apps in the preview…',
    ]);
    expect(tray().tooltip).not.toContain('waiting');
  });

  it('an app that posts metrics appears as waiting for an answer, at the top of the menu too', async () => {
    expect(await postMetrics(intakePort, APP, '1.4.2', { jobs: 7, route: '/checkout', durations: [3, 12] })).toBe(200);
    await vi.waitFor(() => expect(labels(menu())).toContain('1 app waiting for an answer…'), { timeout: 10_000 });
    expect(labels(menu())).toContain('Apps (1 waiting)');
    expect(labels(submenu(menu(), /^Apps\b/))).toContain(`${APP}: waiting for your answer`);
    expect(tray().tooltip).toMatch(/; 1 app waiting for an answer$/);
    expect(appItem('Allow').enabled).toBe(true);
    expect(appItem('Deny').enabled).toBe(true);
    // Waiting: its data is held for the preview only, never in the payload.
    const preview = await call<PreviewResult>('preview', { details_level: 4, anonymize: true });
    expect(preview.payload.sources ?? []).toEqual([]);
    expect(preview.pending.sources.map((s) => s.name)).toEqual([APP]);
  });

  it('Allow in the menu allows it in the agent; the menu follows', async () => {
    appItem('Allow').click?.();
    await vi.waitFor(() => expect(labels(submenu(menu(), /^Apps\b/))).toContain(`${APP}: allowed`), { timeout: 10_000 });
    expect(labels(menu())).not.toContain('1 app waiting for an answer…');
    expect(labels(menu())).toContain('Apps');
    expect(appItem('Allow').enabled).toBe(false);
    expect(appItem('Deny').enabled).toBe(true);
    const { sources } = await call<SourcesResult>('sources', {});
    expect(sources.find((s) => s.name === APP)).toMatchObject({ state: 'allowed', answered_by: 'person' });
    const preview = await call<PreviewResult>('preview', { details_level: 4, anonymize: true });
    expect(preview.payload.sources?.map((s) => [s.name, s.counters['jobs.done']])).toEqual([[APP, 7]]);
    expect(preview.pending.sources).toEqual([]);
  });

  it('Deny in the menu denies it: its data leaves the payload', async () => {
    appItem('Deny').click?.();
    await vi.waitFor(() => expect(labels(submenu(menu(), /^Apps\b/))).toContain(`${APP}: denied`), { timeout: 10_000 });
    expect(appItem('Allow').enabled).toBe(true);
    expect(appItem('Deny').enabled).toBe(false);
    const status = await call<AgentStatus>('status', {});
    expect(status.sources).toEqual([{ name: APP, state: 'denied', answered_by: 'person' }]);
    const preview = await call<PreviewResult>('preview', { details_level: 4, anonymize: true });
    expect(preview.payload.sources ?? []).toEqual([]);
    expect(preview.pending.sources).toEqual([]);
  });

  it('"Show apps in the preview…" opens the page at its Apps panel', async () => {
    const show = submenu(menu(), /^Apps\b/).find((item) => item.label === 'Show apps in the preview…');
    show?.click?.();
    await vi.waitFor(() => expect(recorder.windows.at(-1)?.loaded.at(-1)).toBe('candor://app/index.html#sources'));
    expect(recorder.steps.filter((s) => s.startsWith('error:'))).toEqual([]);
  });
});
