import { extname, join, normalize, sep } from 'node:path';

// Pure URL decisions for the desktop shell, kept free of electron so they are tested directly.
// The renderer is served from a privileged custom scheme rather than file://, so the page's
// origin is exactly ours (CSP 'self' means our files only) and file:// extra privileges can be
// switched off with a fuse at packaging time.

export const RENDERER_SCHEME = 'candor';
export const RENDERER_HOST = 'app';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
export const RENDERER_PAGE = '/index.html';
export const RENDERER_URL = `${RENDERER_ORIGIN}${RENDERER_PAGE}`;

/** Sections the renderer can be opened at, passed as the URL fragment (#consent, #deletion, #sources). */
export type RendererSection = 'consent' | 'deletion' | 'sources';

export function rendererUrl(section?: RendererSection): string {
  return section ? `${RENDERER_URL}#${section}` : RENDERER_URL;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for our renderer page (any fragment or query), nothing else: not other files, not other hosts. */
export function isRendererUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === `${RENDERER_SCHEME}:` &&
    parsed.host === RENDERER_HOST &&
    parsed.pathname === RENDERER_PAGE &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** Only plain http(s) links with a host and no embedded credentials may reach the OS browser. */
export function isSafeExternalUrl(url: string): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  const parsed = parse(url);
  if (!parsed) return false;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
}

/** A navigation that only changes the fragment stays on our page; anything else is refused. */
export function isSamePageNavigation(from: string, to: string): boolean {
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return false;
  return isRendererUrl(to) && a.origin === b.origin && a.pathname === b.pathname && a.search === b.search;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export function contentTypeFor(file: string): string | null {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? null;
}

/**
 * Map a candor://app/... request to a file inside the renderer folder, or null.
 * Refuses other hosts, traversal out of the folder, and file types we do not ship (maps included).
 */
export function rendererFileFor(rendererRoot: string, requestUrl: string): string | null {
  const parsed = parse(requestUrl);
  if (!parsed || parsed.protocol !== `${RENDERER_SCHEME}:` || parsed.host !== RENDERER_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const root = normalize(rendererRoot);
  const file = normalize(join(root, pathname === '/' ? RENDERER_PAGE : pathname));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return contentTypeFor(file) ? file : null;
}
