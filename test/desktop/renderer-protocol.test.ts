import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setLogSink } from '../../main/util/log.js';

// protocol is faked at the runner level; the files served are real files in a temp dir.
type Handler = (request: Request) => Promise<Response>;
const handlers = new Map<string, Handler>();
const privileged: unknown[] = [];
vi.mock('electron', () => ({
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => privileged.push(...schemes),
    handle: (scheme: string, handler: Handler) => handlers.set(scheme, handler),
  },
}));

const { RENDERER_CSP, registerRendererScheme, serveRenderer } = await import('../../main/desktop/renderer-protocol.js');

let root: string;
beforeAll(() => {
  setLogSink(() => undefined);
  const base = mkdtempSync(join(tmpdir(), 'candor-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(root);
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Candor</title>');
  writeFileSync(join(root, 'main.js'), 'console.log(1)');
  writeFileSync(join(root, 'main.js.map'), '{}');
  writeFileSync(join(base, 'secret.json'), '{"key":"x"}');
  registerRendererScheme();
  serveRenderer(root);
});
afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

function get(url: string, method = 'GET'): Promise<Response> {
  const handler = handlers.get('candor');
  if (!handler) throw new Error('candor: not handled');
  return handler(new Request(url, { method }));
}

describe('candor:// renderer protocol', () => {
  it('registers candor as a standard, secure scheme', () => {
    expect(privileged).toEqual([{ scheme: 'candor', privileges: { standard: true, secure: true } }]);
  });

  it('serves our files with their type and the strict CSP', async () => {
    const page = await get('candor://app/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await page.text()).toContain('<title>Candor</title>');
    const script = await get('candor://app/main.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(RENDERER_CSP).toContain("default-src 'none'");
  });

  it('serves nothing outside the folder, no source maps, missing files as 404, only GET', async () => {
    expect((await get('candor://app/..%2fsecret.json')).status).toBe(404);
    expect((await get('candor://app/main.js.map')).status).toBe(404);
    expect((await get('candor://app/missing.js')).status).toBe(404);
    expect((await get('candor://other/index.html')).status).toBe(404);
    expect((await get('candor://app/index.html', 'POST')).status).toBe(405);
  });
});
