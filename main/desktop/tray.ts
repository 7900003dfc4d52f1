import { join } from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { AgentStatus } from '../api.js';
import { trayIconState, trayMenuTemplate, trayTooltip, type TrayAction, type TrayIconState, type TrayMenuItem } from './tray-menu.js';

// The native tray: icon, tooltip and menu are all rebuilt from tray-menu.ts on every status.

export interface TrayOptions {
  /** Folder with tray-<state>.png (16x16) and tray-<state>@2x.png; Electron picks the scale. */
  iconDir: string;
  onAction(action: TrayAction): void;
}

export interface CandorTray {
  update(status: AgentStatus): void;
  /** The template currently shown, for the e2e automation handle. */
  template(): TrayMenuItem[];
  destroy(): void;
}

export function trayIconPath(iconDir: string, state: TrayIconState): string {
  return join(iconDir, `tray-${state}.png`);
}

function toNative(items: TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((entry) => {
    if (entry.type === 'separator') return { type: 'separator' };
    if (entry.type === 'submenu') return { label: entry.label, submenu: toNative(entry.items, onAction) };
    const { id, label, enabled } = entry;
    return { label, enabled, ...(id ? { id, click: () => onAction(id) } : {}) };
  });
}

export function createTray(initial: AgentStatus, options: TrayOptions): CandorTray {
  const icons = new Map<TrayIconState, NativeImage>();
  const icon = (state: TrayIconState): NativeImage => {
    let image = icons.get(state);
    if (!image) {
      image = nativeImage.createFromPath(trayIconPath(options.iconDir, state));
      icons.set(state, image);
    }
    return image;
  };
  let shown = trayMenuTemplate(initial);
  const tray = new Tray(icon(trayIconState(initial)));
  // Linux app indicators show no tooltip and send no clicks; the menu is the whole UI there.
  if (process.platform !== 'linux') tray.on('click', () => options.onAction('open-preview'));

  const update = (status: AgentStatus): void => {
    if (tray.isDestroyed()) return;
    shown = trayMenuTemplate(status);
    tray.setImage(icon(trayIconState(status)));
    tray.setToolTip(trayTooltip(status));
    tray.setContextMenu(Menu.buildFromTemplate(toNative(shown, options.onAction)));
  };
  update(initial);

  return {
    update,
    template: () => shown,
    destroy: () => {
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
