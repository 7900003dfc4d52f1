import type { TrayAction, TrayMenuItem } from './tray-menu.js';
import type { RendererSection } from './url-policy.js';

// A main-process-only handle for end-to-end tests (Playwright's app.evaluate runs in
// the main process). Renderers cannot reach main-process globals, so this grants
// nothing a page could use; a packaged app also has the inspector fused off.

export const AUTOMATION_KEY = Symbol.for('candor.desktop');

export interface DesktopAutomation {
  trayAction(action: TrayAction): Promise<void>;
  trayMenu(): TrayMenuItem[];
  openPreview(section?: RendererSection): number;
  windowCount(): number;
}

export function publishAutomation(handle: DesktopAutomation): void {
  Reflect.set(globalThis, AUTOMATION_KEY, handle);
}
