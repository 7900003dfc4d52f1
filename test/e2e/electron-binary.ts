import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Whether a real Electron can run here, without require('electron'): that module
// tries to download the binary when it is missing.

export const ROOT = join(import.meta.dirname, '../..');
export const MAIN_JS = join(ROOT, 'dist/main/desktop/main.js');

export function electronExecutable(): string | null {
  const pathFile = join(ROOT, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = join(ROOT, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(executable) ? executable : null;
}

/** Why the Electron end-to-end tests cannot run here, or null when they can. */
export function electronUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | null {
  if (!electronExecutable())
    return 'the Electron binary is not downloaded yet (`npm start` or `node node_modules/electron/install.js` fetches it; none can be downloaded here)';
  if (process.platform === 'linux' && !env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return 'no display on Linux (run under xvfb-run)';
  return null;
}
