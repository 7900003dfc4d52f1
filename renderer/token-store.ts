// The page's access token. It arrives once in the address (#token=…), is taken out of
// the address bar at once (history, screenshots), and is kept in sessionStorage: it
// survives a reload of this tab, dies with the tab, and is never in localStorage or the URL.

const KEY = 'candor.token';
const TOKEN = /^[0-9a-f]+$/i;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Storage can be switched off; the page then needs the address again after a reload.
    return null;
  }
}

/** A token in the address fragment, removed from the address bar and kept for reloads; null when there is none. */
export function takeTokenFromAddress(): string | null {
  if (location.hash === '') return null;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token === null) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  if (!TOKEN.test(token)) return null;
  storage()?.setItem(KEY, token);
  return token;
}

/** The token from the address, else the one this tab kept. */
export function currentToken(): string | null {
  const fromAddress = takeTokenFromAddress();
  if (fromAddress !== null) return fromAddress;
  const kept = storage()?.getItem(KEY) ?? null;
  return kept !== null && TOKEN.test(kept) ? kept : null;
}

/** The agent refused it: a reload must not try it again. */
export function forgetToken(): void {
  storage()?.removeItem(KEY);
}
