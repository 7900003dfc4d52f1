import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { PAGE_CSP } from '../transport/http-static.js';
import { log } from '../util/log.js';
import { RENDERER_SCHEME, contentTypeFor, rendererFileFor } from './url-policy.js';

// Serves dist/renderer over candor://app/ (see url-policy.ts for why not file://).
// The CSP header repeats the page's meta policy so a page edit cannot loosen it; it is
// the same header the headless agent sends with the page (one policy, two hosts).
export const RENDERER_CSP = PAGE_CSP;

/** Must run before app 'ready': privileges cannot be granted later. */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true } }]);
}

/** After 'ready': answer candor://app/... from the renderer folder, nothing else. */
export function serveRenderer(rendererRoot: string): void {
  protocol.handle(RENDERER_SCHEME, async (request) => {
    if (request.method !== 'GET') return new Response(null, { status: 405 });
    const file = rendererFileFor(rendererRoot, request.url);
    if (!file) return new Response(null, { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': contentTypeFor(file) ?? 'application/octet-stream',
          'content-security-policy': RENDERER_CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        },
      });
    } catch (error) {
      log.warn(`renderer file not served: ${request.url}: ${String(error)}`);
      return new Response(null, { status: 404 });
    }
  });
}
