import { shell } from 'electron';
import { log } from '../util/log.js';
import { isSafeExternalUrl } from './url-policy.js';

// The one place the shell opens a URL in the OS: a hostile page could otherwise hand
// shell.openExternal a file:, smb: or custom-scheme URL that runs a program.
export function openExternalIfSafe(url: string): void {
  if (!isSafeExternalUrl(url)) {
    log.warn(`refused to open a non-http(s) link: ${url.slice(0, 200)}`);
    return;
  }
  shell.openExternal(url).catch((error: unknown) => log.warn(`could not open ${url}: ${String(error)}`));
}
