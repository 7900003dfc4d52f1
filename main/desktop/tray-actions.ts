import type { AgentApi } from '../api.js';
import { log } from '../util/log.js';
import type { RendererSection } from './url-policy.js';
import { parseSourceAction, type TrayAction, type TrayBasicAction } from './tray-menu.js';

// What each tray item does, with the host's side effects injected so the mapping is
// tested without Electron.

/** Level used by "Export report…": the most detailed anonymized report, so nothing that could ever be sent is hidden. */
export const TRAY_EXPORT_LEVEL = 4;

export interface TrayActionDeps {
  api: AgentApi;
  openPreview(section?: RendererSection): void;
  showDeletionRequest(): Promise<void>;
  showError(title: string, message: string): void;
  quit(): void;
}

export function createTrayActions(deps: TrayActionDeps): (action: TrayAction) => Promise<void> {
  const { api } = deps;
  const run: Record<TrayBasicAction, () => Promise<unknown>> = {
    'pause-1h': () => api.pause({ duration: '1h' }),
    'pause-until-restart': () => api.pause({ duration: 'until-restart' }),
    resume: () => api.resume({}),
    disable: () => api.disable({}),
    enable: () => api.enable({}),
    'open-preview': async () => deps.openPreview(),
    'open-sources': async () => deps.openPreview('sources'),
    // The agent asks the host for the file through setExportTarget (the save dialog), then writes atomically.
    'export-report': () => api.exportReport({ details_level: TRAY_EXPORT_LEVEL, anonymize: true }),
    'request-deletion': () => deps.showDeletionRequest(),
    quit: async () => deps.quit(),
  };
  return async (action) => {
    const answer = parseSourceAction(action);
    try {
      // The agent pushes the new state, which rebuilds the menu; nothing to redraw here.
      if (answer !== null) await api.answerSource(answer);
      else await run[action as TrayBasicAction]();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const what = answer === null ? action : `${answer.answer === 'allowed' ? 'Allow' : 'Deny'} ${answer.name}`;
      log.error(`tray action ${what} failed: ${message}`);
      deps.showError('Candor', `${what}: ${message}`);
    }
  };
}
