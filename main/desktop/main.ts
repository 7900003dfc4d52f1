import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import ElectronStore from 'electron-store';
import { createAgent, type Agent } from '../agent.js';
import { platformConfigDir, resolveDataDir } from '../control/paths.js';
import { acquireLock, LockedError, type InstanceLock } from '../util/instance-lock.js';
import { log } from '../util/log.js';
import { APP_ROOT } from '../version.js';
import { publishAutomation } from './automation.js';
import { parseDesktopArgs } from './desktop-args.js';
import { chooseExportPath, showDeletionRequest, showError } from './dialogs.js';
import { registerIpc } from './ipc-main.js';
import { registerRendererScheme, serveRenderer } from './renderer-protocol.js';
import { lockDownSession } from './session-lockdown.js';
import { createTrayActions } from './tray-actions.js';
import { createTray } from './tray.js';
import { createWindowManager } from './windows.js';

// Electron entry: a tray app around the agent. Windows are opened on demand (first-run
// consent, the preview); closing them never quits, only "Quit" does.

const CLOSE_TIMEOUT_MS = 5000;
const here = dirname(fileURLToPath(import.meta.url));
const args = parseDesktopArgs(process.argv);
const dataDir = resolveDataDir({ flag: args.dataDir, env: process.env });
// An explicit data dir also isolates Chromium's profile and the single-instance lock (tests, second profiles).
if (args.dataDir || process.env['CANDOR_DATA_DIR']) app.setPath('userData', join(dataDir, 'electron'));

registerRendererScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start().catch((error: unknown) => {
    log.error(`desktop start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    // Started from a launcher, a log line is invisible: say it (the lock case said it already).
    if (!(error instanceof LockedError))
      dialog.showErrorBox('Candor could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  let openPreview: (() => void) | null = null;
  app.on('second-instance', () => openPreview?.());
  // Keep living in the tray when the last window closes.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  if (process.platform === 'darwin') app.dock?.hide();
  lockDownSession();
  serveRenderer(join(here, '../../renderer'));

  // One agent per data directory, shared with `candor start`: two would deliver the
  // same outbox twice. The holder is named, so the person knows what to close.
  let lock: InstanceLock;
  try {
    lock = acquireLock(dataDir);
  } catch (error) {
    if (error instanceof LockedError) dialog.showErrorBox('Candor is already running', error.message);
    throw error;
  }

  const agent: Agent = await createAgent({
    mode: 'desktop',
    dataDir,
    dataDirChecked: true, // by acquireLock above
    env: process.env,
    // A desktop app's working directory is wherever it was launched from: its operator
    // configuration comes from the platform's config folder (or --config-path) only.
    configDir: platformConfigDir(),
    disableTelemetry: args.disableTelemetry,
    ...(args.configPath ? { configPath: args.configPath } : {}),
    storeClass: ElectronStore,
  });
  agent.setExportTarget(chooseExportPath);

  const iconDir = app.isPackaged ? join(process.resourcesPath, 'icons') : join(APP_ROOT, 'build/icons');
  const windows = createWindowManager({
    preloadPath: join(here, 'preload.cjs'),
    iconPath: join(iconDir, 'icon.png'),
    devTools: !app.isPackaged,
  });
  openPreview = () => windows.open('preview');
  const disposeIpc = registerIpc(agent.api, windows);

  const runAction = createTrayActions({
    api: agent.api,
    openPreview: (section) => windows.open('preview', section),
    showDeletionRequest: () => showDeletionRequest(agent.api, (section) => windows.open('preview', section)),
    showError,
    quit: () => app.quit(),
  });
  const initial = await agent.api.status({});
  const tray = createTray(initial, { iconDir, onAction: (action) => void runAction(action) });
  const unsubscribeTray = agent.api.onStatus((status) => tray.update(status));

  publishAutomation({
    trayAction: runAction,
    trayMenu: () => tray.template(),
    openPreview: (section) => windows.open('preview', section).id,
    windowCount: () => BrowserWindow.getAllWindows().length,
  });

  // First run: consent is opt-in and asked once, in the preview page at #consent.
  if (initial.consent === 'unset') windows.open('consent');

  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    unsubscribeTray();
    // Windows first: a call still in flight from the page must not meet a missing handler.
    for (const window of BrowserWindow.getAllWindows()) window.destroy();
    disposeIpc();
    tray.destroy();
    // A stuck upload must not keep the app alive: the outbox is on disk, the next start retries.
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
    Promise.race([agent.close(), timeout])
      .catch((error: unknown) => log.error(`agent close failed: ${String(error)}`))
      .finally(() => {
        lock.release();
        app.quit();
      });
  });
}
