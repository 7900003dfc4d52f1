import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentApi, AgentStatus } from '../../main/api.js';
import type { DesktopAutomation } from '../../main/desktop/automation.js';
import type { TrayMenuItem } from '../../main/desktop/tray-menu.js';
import { MAIN_JS, electronExecutable, electronUnavailableReason } from './electron-binary.js';

// The real app, driven by Playwright: first-run consent, the preview over IPC, a tray
// action through the main process, single instance, and consent kept across a restart.
// Skipped by name, with the reason, where no Electron binary (or display) is available.

const reason = electronUnavailableReason();
if (reason) console.log(`test/e2e/electron.test.ts: Electron end-to-end tests skipped: ${reason}`);
const title = reason ? `Electron end-to-end [skipped: ${reason}]` : 'Electron end-to-end';

// Serialized into the page / main process by Playwright: no imports may be referenced inside.
type PageGlobals = {
  candor: AgentApi;
  document: { title: string; body: { innerText: string } };
  location: { href: string };
  open(url: string): unknown;
  eval(code: string): unknown;
};

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key === 'DO_NOT_TRACK' || key.startsWith('CANDOR')) continue;
    env[key] = value;
  }
  return env;
}

describe.skipIf(reason !== null)(title, () => {
  let dataDir: string;
  let app: ElectronApplication;

  async function launch(): Promise<ElectronApplication> {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build first`);
    const launched = await electron.launch({ args: [MAIN_JS, `--data-dir=${dataDir}`], env: cleanEnv(), cwd: dataDir, timeout: 60_000 });
    // The automation handle is published once the agent, IPC and tray are wired.
    await expect
      .poll(() => launched.evaluate(() => Boolean(Reflect.get(globalThis, Symbol.for('candor.desktop')))), { timeout: 30_000 })
      .toBe(true);
    return launched;
  }

  /** Call the main process's automation handle (see main/desktop/automation.ts) by method name. */
  function automation<K extends keyof DesktopAutomation>(
    target: ElectronApplication,
    method: K,
    ...args: Parameters<DesktopAutomation[K]>
  ): Promise<Awaited<ReturnType<DesktopAutomation[K]>>> {
    return target.evaluate(
      async (_electron, [name, values]) => {
        const handle = Reflect.get(globalThis, Symbol.for('candor.desktop')) as Record<string, (...a: unknown[]) => unknown>;
        return handle[name]?.(...values);
      },
      [method, args] as [string, unknown[]],
    ) as Promise<Awaited<ReturnType<DesktopAutomation[K]>>>;
  }

  async function candorStatus(page: Page): Promise<AgentStatus> {
    return page.evaluate(() => (globalThis as unknown as PageGlobals).candor.status({}));
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'candor-e2e-'));
    app = await launch();
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('first run opens the consent window on our page, with window.candor and no Node', async () => {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toBe('candor://app/index.html#consent');
    const shape = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals & Record<string, unknown>;
      return { keys: Object.keys(g.candor).sort(), require: typeof g['require'], process: typeof g['process'] };
    });
    expect(shape.keys).toContain('onStatus');
    expect(shape.keys).toContain('setConsent');
    expect(shape.keys).not.toContain('send');
    expect(shape.require).toBe('undefined');
    expect(shape.process).toBe('undefined');
    expect((await candorStatus(page)).consent).toBe('unset');
  });

  it('the preview renders and the payload comes over IPC; bad input is refused with a message', async () => {
    const page = await app.firstWindow();
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.innerText.trim().length), { timeout: 15_000 })
      .toBeGreaterThan(0);
    const preview = await page.evaluate(() => (globalThis as unknown as PageGlobals).candor.preview({ details_level: 1, anonymize: true }));
    expect(preview.payload).toHaveProperty('schema_version');
    expect(preview.payload.id).toMatch(/^[0-9a-f-]{36}$/);
    const error = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).candor.preview({ details_level: 1e12, anonymize: true }).then(
        () => 'accepted',
        (e: Error) => e.message,
      ),
    );
    expect(error).toMatch(/details_level/);
  });

  it('the CSP blocks eval, navigation away and new windows are refused', async () => {
    const page = await app.firstWindow();
    const evalResult = await page.evaluate(() => {
      try {
        (globalThis as unknown as PageGlobals).eval('1 + 1');
        return 'allowed';
      } catch {
        return 'blocked';
      }
    });
    expect(evalResult).toBe('blocked');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).open('candor://app/index.html'))).toBeNull();
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).location.href = 'file:///etc/hosts';
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(page.url()).toMatch(/^candor:\/\/app\/index\.html/);
  });

  it('consent from the page, then a tray action through the main process pauses and rebuilds the menu', async () => {
    const page = await app.firstWindow();
    const granted = await page.evaluate(() => (globalThis as unknown as PageGlobals).candor.setConsent({ granted: true }));
    expect(granted.consent).toBe('granted');
    await automation(app, 'trayAction', 'pause-until-restart');
    const menu = await automation(app, 'trayMenu');
    const ids = menu.flatMap((item: TrayMenuItem) => (item.type === 'normal' && item.id ? [item.id] : []));
    expect(ids).toContain('resume');
    expect(ids).not.toContain('pause-1h');
    expect((await candorStatus(page)).paused_until).toBe('restart');
  });

  it('a second instance exits and focuses the running one', async () => {
    const pages = app.windows();
    for (const page of pages) await page.close();
    await expect.poll(() => automation(app, 'windowCount')).toBe(0);
    const executable = electronExecutable() ?? '';
    const sandbox = process.platform === 'linux' ? ['--no-sandbox'] : [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(executable, [...sandbox, MAIN_JS, `--data-dir=${dataDir}`], { env: cleanEnv(), stdio: 'ignore' });
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    await expect.poll(() => automation(app, 'windowCount'), { timeout: 15_000 }).toBe(1);
  });

  it('consent is kept across a restart, the until-restart pause is not, and no window opens by itself', async () => {
    await app.close();
    app = await launch();
    expect(await automation(app, 'windowCount')).toBe(0);
    await automation(app, 'openPreview');
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toBe('candor://app/index.html');
    const status = await candorStatus(page);
    expect(status.consent).toBe('granted');
    expect(status.paused_until).toBeNull();
  });
});
