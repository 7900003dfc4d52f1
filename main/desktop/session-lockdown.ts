import { session } from 'electron';
import { isRendererUrl, RENDERER_ORIGIN } from './url-policy.js';

// The preview needs no camera, notifications, clipboard reads or any other permission:
// refuse them all, so a compromised page cannot even prompt for them. One exception:
// our own page may write plain text to the clipboard ("Copy text" of a deletion request).
const CLIPBOARD_WRITE = 'clipboard-sanitized-write';

export function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_webContents, permission, callback, details) =>
    callback(permission === CLIPBOARD_WRITE && isRendererUrl(details.requestingUrl)),
  );
  ses.setPermissionCheckHandler(
    (_webContents, permission, requestingOrigin) => permission === CLIPBOARD_WRITE && requestingOrigin === RENDERER_ORIGIN,
  );
  ses.on('will-download', (event) => event.preventDefault());
}
