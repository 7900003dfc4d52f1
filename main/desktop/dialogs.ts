import { join } from 'node:path';
import { app, BrowserWindow, clipboard, dialog, type SaveDialogOptions } from 'electron';
import type { AgentApi } from '../api.js';
import type { RendererSection } from './url-policy.js';

// Native dialogs: the export save dialog (handed to agent.setExportTarget) and the
// deletion request text with a copy button.

function parent(): BrowserWindow | undefined {
  return BrowserWindow.getFocusedWindow() ?? undefined;
}

/** Returns the chosen path, or null when the person cancels. */
export async function chooseExportPath(suggestedName: string): Promise<string | null> {
  const options: SaveDialogOptions = {
    title: 'Export Candor report',
    defaultPath: join(app.getPath('documents'), suggestedName),
    filters: [{ name: 'JSON report', extensions: ['json'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const window = parent();
  const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}

export async function showDeletionRequest(api: AgentApi, openPreview: (section: RendererSection) => void): Promise<void> {
  const [request, status] = await Promise.all([api.requestDeletion({ send: false }), api.status({})]);
  // "Send request" only where it can work: ids to delete and an address to send them to.
  const canSend = request.ids.length > 0 && status.deletion_endpoint_configured;
  const why =
    request.ids.length === 0
      ? 'Nothing has been sent from this machine, so there is nothing to delete.'
      : !status.deletion_endpoint_configured
        ? 'No deletion address is configured: copy the text and send it to the operator.'
        : '';
  const buttons = ['Copy text', ...(canSend ? ['Send request'] : []), 'Open in preview', 'Close'];
  const { response } = await dialog.showMessageBox({
    type: 'info',
    title: 'Request data deletion',
    message: 'Ask for deletion of everything sent from this machine',
    detail: why ? `${request.text}\n\n${why}` : request.text,
    buttons,
    defaultId: 0,
    cancelId: buttons.length - 1,
    noLink: true,
  });
  const choice = buttons[response];
  if (choice === 'Copy text') {
    clipboard.writeText(request.text);
    return;
  }
  if (choice === 'Open in preview') {
    openPreview('deletion');
    return;
  }
  if (choice !== 'Send request') return;
  const sent = await api.requestDeletion({ send: true });
  if (sent.delivery === 'not-configured' || sent.delivery === 'rejected') {
    clipboard.writeText(sent.text);
    await dialog.showMessageBox({
      type: 'info',
      title: 'Request data deletion',
      message: sent.delivery === 'rejected' ? 'The deletion address refused the request' : 'No deletion address is configured',
      detail: 'The request text is on your clipboard: send it to the operator of the telemetry endpoint.',
      buttons: ['OK'],
    });
    return;
  }
  await dialog.showMessageBox({
    type: 'info',
    title: 'Request data deletion',
    message:
      sent.delivery === 'sent' ? 'The deletion request was sent.' : 'The deletion request is queued and will be retried until delivered.',
    buttons: ['OK'],
  });
}

export function showError(title: string, message: string): void {
  dialog.showErrorBox(title, message);
}
