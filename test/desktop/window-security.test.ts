import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setLogSink } from '../../main/util/log.js';
import { FakeContents, recorder, type FakeWindow } from './fake-electron.js';

// Electron faked at the runner level with the shared recorder (fake-electron.ts):
// BrowserWindow and webContents record what the window factory asks for;
// shell.openExternal records what would reach the OS.
vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron);

const { createWindowManager, hardenWebContents, secureWebPreferences } = await import('../../main/desktop/windows.js');

function navigate(contents: FakeContents, event: string, url: string): boolean {
  let prevented = false;
  contents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
}

beforeEach(() => {
  recorder.reset();
  setLogSink(() => undefined);
});

describe('window options audit', () => {
  it('secureWebPreferences locks the renderer down', () => {
    expect(secureWebPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    expect(Object.isFrozen(secureWebPreferences)).toBe(true);
    expect(secureWebPreferences).not.toHaveProperty('enableRemoteModule');
    expect(secureWebPreferences).not.toHaveProperty('preload');
  });

  it('every window gets exactly the secure preferences plus its preload', () => {
    const windows = createWindowManager({ preloadPath: '/app/dist/main/desktop/preload.cjs', devTools: false });
    windows.open('consent');
    const created = recorder.windows[0];
    expect(created?.options.webPreferences).toEqual({
      ...secureWebPreferences,
      preload: '/app/dist/main/desktop/preload.cjs',
      devTools: false,
    });
    expect(created?.loaded).toEqual(['candor://app/index.html#consent']);
    // One window at a time: opening the preview brings the same window forward without a
    // reload (the person's choices stay); asking for a section re-points it.
    windows.open('preview');
    expect(recorder.windows).toHaveLength(1);
    expect(created?.loaded).toEqual(['candor://app/index.html#consent']);
    windows.open('preview', 'deletion');
    expect(created?.loaded).toEqual(['candor://app/index.html#consent', 'candor://app/index.html#deletion']);
  });

  it('trusts only the live window showing our page', () => {
    const windows = createWindowManager({ preloadPath: '/p.cjs', devTools: false });
    const window = windows.open();
    const id = window.webContents.id;
    expect(windows.isTrusted('candor://app/index.html', id)).toBe(true);
    expect(windows.isTrusted('candor://app/index.html#deletion', id)).toBe(true);
    expect(windows.isTrusted('candor://app/index.html', id + 100)).toBe(false);
    expect(windows.isTrusted('https://evil.example/index.html', id)).toBe(false);
    expect(windows.targets()).toHaveLength(1);
    (window as unknown as FakeWindow).emit('closed');
    expect(windows.isTrusted('candor://app/index.html', id)).toBe(false);
    expect(windows.targets()).toEqual([]);
  });
});

describe('navigation and new windows', () => {
  function hardened(): FakeContents {
    const contents = new FakeContents();
    contents.url = 'candor://app/index.html';
    hardenWebContents(contents as never);
    return contents;
  }

  it('denies leaving the page, and hands only http(s) links to the OS browser', () => {
    const contents = hardened();
    expect(navigate(contents, 'will-navigate', 'https://candor.dev/privacy')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'smb://host/share')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'candor://app/index.html#deletion')).toBe(false);
    expect(recorder.externals).toEqual(['https://candor.dev/privacy']);
  });

  it('denies every new window, opening safe links externally', () => {
    const contents = hardened();
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'candor://app/index.html' })).toEqual({ action: 'deny' });
    expect(recorder.externals).toEqual(['https://example.com/']);
  });

  it('refuses webviews', () => {
    expect(navigate(hardened(), 'will-attach-webview', '')).toBe(true);
  });
});

describe('source scan of main/desktop', () => {
  const dir = join(import.meta.dirname, '../../main/desktop');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  const sources = files.map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));

  it.each([
    /nodeIntegration\s*:\s*true/,
    /nodeIntegrationInWorker\s*:\s*true/,
    /contextIsolation\s*:\s*false/,
    /sandbox\s*:\s*false/,
    /webSecurity\s*:\s*false/,
    /allowRunningInsecureContent\s*:\s*true/,
    /webviewTag\s*:\s*true/,
    /enableRemoteModule/,
    /@electron\/remote/,
  ])('no file matches %s', (pattern) => {
    expect(sources.filter((s) => pattern.test(s.text)).map((s) => s.file)).toEqual([]);
  });

  it('shell.openExternal is only called right after an isSafeExternalUrl check', () => {
    const callers = sources.filter((s) => /shell\s*\.\s*openExternal\s*\(/.test(s.text));
    expect(callers.map((s) => s.file)).toEqual(['external-links.ts']);
    for (const { text } of callers) {
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        if (!/openExternal\s*\(/.test(line)) return;
        expect(lines.slice(Math.max(0, i - 6), i).join('\n')).toMatch(/if \(!isSafeExternalUrl\(url\)\)/);
      });
    }
  });

  it('every window is built from secureWebPreferences', () => {
    const builders = sources.filter((s) => /new BrowserWindow\s*\(/.test(s.text));
    expect(builders.map((s) => s.file)).toEqual(['windows.ts']);
    expect(builders[0]?.text).toMatch(/webPreferences:\s*\{\s*\.\.\.secureWebPreferences,/);
  });
});
