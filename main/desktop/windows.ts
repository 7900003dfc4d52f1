import { BrowserWindow, type WebContents, type WebPreferences } from 'electron';
import { openExternalIfSafe } from './external-links.js';
import { isRendererUrl, isSafeExternalUrl, isSamePageNavigation, rendererUrl, type RendererSection } from './url-policy.js';
import { log } from '../util/log.js';

export { isSafeExternalUrl } from './url-policy.js';

// One preview window at a time; the consent window is the same page opened at #consent
// (the renderer shows consent controls while status.consent is 'unset').

/** Audited by test/desktop/window-security.test.ts; every window spreads these and adds only its preload. */
export const secureWebPreferences = Object.freeze({
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} satisfies WebPreferences);

export type WindowKind = 'preview' | 'consent';

export interface WindowManagerOptions {
  preloadPath: string;
  iconPath?: string;
  devTools: boolean;
}

export interface WindowManager {
  /** Show (creating or re-pointing) the window; `section` picks the renderer's #fragment. */
  open(kind?: WindowKind, section?: RendererSection): BrowserWindow;
  /** Trusted IPC sender: a live window of ours showing our renderer page. */
  isTrusted(senderUrl: string, senderId: number): boolean;
  /** Our windows' web contents, for status pushes. */
  targets(): WebContents[];
}

const SIZES: Record<WindowKind, { width: number; height: number; title: string }> = {
  preview: { width: 1000, height: 760, title: 'Candor: what would be sent' },
  consent: { width: 720, height: 640, title: 'Candor: telemetry consent' },
};

/** Deny navigation away from our page, new windows and webviews; hand safe http(s) links to the OS browser. */
export function hardenWebContents(contents: WebContents): void {
  const refuse = (event: { preventDefault(): void }, url: string): void => {
    if (isSamePageNavigation(contents.getURL(), url)) return;
    event.preventDefault();
    if (isSafeExternalUrl(url)) openExternalIfSafe(url);
  };
  contents.on('will-navigate', (event, url) => refuse(event, url));
  contents.on('will-redirect', (event, url) => refuse(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternalIfSafe(url);
    return { action: 'deny' };
  });
}

export function createWindowManager(options: WindowManagerOptions): WindowManager {
  let current: { window: BrowserWindow; contentsId: number } | null = null;

  const create = (kind: WindowKind, section: RendererSection | undefined): BrowserWindow => {
    const size = SIZES[kind];
    const window = new BrowserWindow({
      width: size.width,
      height: size.height,
      minWidth: 480,
      minHeight: 400,
      title: size.title,
      show: false,
      autoHideMenuBar: true,
      ...(options.iconPath ? { icon: options.iconPath } : {}),
      webPreferences: { ...secureWebPreferences, preload: options.preloadPath, devTools: options.devTools },
    });
    if (process.platform !== 'darwin') window.removeMenu();
    const contentsId = window.webContents.id;
    hardenWebContents(window.webContents);
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      if (current?.contentsId === contentsId) current = null;
    });
    current = { window, contentsId };
    // A load replaced by a newer one rejects with ERR_ABORTED: expected, not an error.
    window.loadURL(rendererUrl(section)).catch((error: unknown) => log.debug(`preview load: ${String(error)}`));
    return window;
  };

  return {
    open(kind = 'preview', section) {
      const existing = current?.window;
      if (!existing || existing.isDestroyed()) return create(kind, section ?? (kind === 'consent' ? 'consent' : undefined));
      const asked = section ?? (kind === 'consent' ? 'consent' : undefined);
      // Just bring the page forward when no section is asked for: a reload would lose the
      // person's choices. A section is a fragment change, which the page follows itself.
      if (asked !== undefined || !isRendererUrl(existing.webContents.getURL())) {
        const wanted = rendererUrl(asked);
        if (existing.webContents.getURL() !== wanted)
          existing.loadURL(wanted).catch((error: unknown) => log.debug(`preview load: ${String(error)}`));
      }
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    },
    isTrusted(senderUrl, senderId) {
      return current !== null && !current.window.isDestroyed() && current.contentsId === senderId && isRendererUrl(senderUrl);
    },
    targets() {
      return current && !current.window.isDestroyed() ? [current.window.webContents] : [];
    },
  };
}
