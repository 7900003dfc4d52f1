import { ipcMain, type WebContents } from 'electron';
import type { AgentApi } from '../api.js';
import { STATUS_CHANNEL, createIpcHandlers, type IsTrustedSender } from '../transport/ipc.js';
import { isRendererUrl } from './url-policy.js';

// The only ipcMain user (lint-enforced): registers the contract's handlers and pushes
// every status change to our windows.

export interface IpcWiring {
  isTrusted: IsTrustedSender;
  targets(): WebContents[];
}

/** Returns a disposer that removes the handlers and the status subscription. */
export function registerIpc(api: AgentApi, wiring: IpcWiring): () => void {
  const handlers = createIpcHandlers(api, wiring.isTrusted);
  for (const [channel, handler] of Object.entries(handlers)) {
    ipcMain.handle(channel, (event, raw: unknown) => handler(event, raw));
  }
  const unsubscribe = api.onStatus((status) => {
    for (const contents of wiring.targets()) {
      // A window that navigated elsewhere (it cannot, but be sure) gets nothing.
      if (!contents.isDestroyed() && isRendererUrl(contents.getURL())) contents.send(STATUS_CHANNEL, status);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of Object.keys(handlers)) ipcMain.removeHandler(channel);
  };
}
