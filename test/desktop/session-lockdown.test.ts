import { describe, expect, it, vi } from 'vitest';

// The session refuses every permission but one: our own page may write text to the
// clipboard ("Copy text" of a deletion request). Electron faked at the runner level.
type RequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string },
) => void;
type CheckHandler = (contents: unknown, permission: string, requestingOrigin: string) => boolean;

const captured: { request?: RequestHandler; check?: CheckHandler; events: string[] } = { events: [] };
vi.mock('electron', () => ({
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler: RequestHandler) => (captured.request = handler),
      setPermissionCheckHandler: (handler: CheckHandler) => (captured.check = handler),
      on: (event: string) => captured.events.push(event),
    },
  },
}));

const { lockDownSession } = await import('../../main/desktop/session-lockdown.js');

function requested(permission: string, requestingUrl: string): boolean {
  let granted: boolean | null = null;
  captured.request?.(null, permission, (g) => (granted = g), { requestingUrl });
  if (granted === null) throw new Error('the handler did not answer');
  return granted;
}

describe('session lockdown', () => {
  lockDownSession();

  it('lets only our page write to the clipboard', () => {
    expect(requested('clipboard-sanitized-write', 'candor://app/index.html#deletion')).toBe(true);
    expect(requested('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(captured.check?.(null, 'clipboard-sanitized-write', 'candor://app')).toBe(true);
    expect(captured.check?.(null, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
  });

  it.each(['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal', 'fullscreen'])(
    'refuses %s even to our page',
    (permission) => {
      expect(requested(permission, 'candor://app/index.html')).toBe(false);
      expect(captured.check?.(null, permission, 'candor://app')).toBe(false);
    },
  );

  it('refuses downloads', () => {
    expect(captured.events).toContain('will-download');
  });
});
