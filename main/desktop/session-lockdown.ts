import { session } from 'electron';

// The preview needs no camera, notifications, clipboard reads or any other permission:
// refuse them all, so a compromised page cannot even prompt for them.
export function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
}
