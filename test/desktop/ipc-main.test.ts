import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcResult } from '../../main/transport/ipc-channels.js';
import { setLogSink } from '../../main/util/log.js';
import { recordingApi, statusFixture, type RecordingApi } from './fake-api.js';

// Electron is faked at the runner level: ipcMain records what main/desktop/ipc-main.ts
// registers, and the tests call the registered handlers as Electron would.
type Handler = (event: unknown, ...args: unknown[]) => Promise<IpcResult>;
const registered = new Map<string, Handler>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: Handler) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
      registered.set(channel, handler);
    },
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { registerIpc } = await import('../../main/desktop/ipc-main.js');

const OUR_URL = 'candor://app/index.html';
const OUR_ID = 7;

function event(url: string | null = OUR_URL, id = OUR_ID) {
  return { senderFrame: url === null ? null : { url }, sender: { id } };
}

function fakeContents(url = OUR_URL) {
  return {
    sent: [] as unknown[][],
    isDestroyed: () => false,
    getURL: () => url,
    send(...args: unknown[]) {
      this.sent.push(args);
    },
  };
}

async function invoke(channel: string, ev: unknown, raw: unknown): Promise<IpcResult> {
  const handler = registered.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler(ev, raw);
}

function errorOf(result: IpcResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error.message;
}

describe('IPC wiring (ipc-main.ts + transport/ipc.ts)', () => {
  let rec: RecordingApi;
  let dispose: () => void;
  let contents: ReturnType<typeof fakeContents>;
  let foreign: ReturnType<typeof fakeContents>;

  beforeEach(() => {
    registered.clear();
    setLogSink(() => undefined);
    rec = recordingApi();
    contents = fakeContents();
    foreign = fakeContents('https://evil.example/index.html');
    dispose = registerIpc(rec.api, {
      isTrusted: (url, id) => id === OUR_ID && url.startsWith('candor://app/index.html'),
      targets: () => [contents as never, foreign as never],
    });
  });

  it('good calls reach the api with the parsed arguments', async () => {
    const result = await invoke('candor:preview', event(), { details_level: 9, anonymize: true });
    expect(result).toEqual({ ok: true, value: { call: 'preview', input: { details_level: 4, anonymize: true } } });
    await invoke('candor:pause', event(`${OUR_URL}#consent`), { duration: '1h' });
    await invoke('candor:status', event(), undefined);
    expect(rec.calls.map((c) => c.name)).toEqual(['preview', 'pause', 'status']);
    expect(rec.calls[2]?.input).toEqual({});
  });

  it('refuses an untrusted sender without calling the api', async () => {
    const cases = [event('https://evil.example/'), event(OUR_URL, 99), event(null), event('file:///tmp/index.html')];
    for (const ev of cases) {
      expect(errorOf(await invoke('candor:disable', ev, {}))).toMatch(/^disable: refused: the sender is not a Candor window/);
    }
    expect(rec.calls).toEqual([]);
  });

  it.each([
    ['wrong type', 'candor:setConsent', { granted: 'yes' }, /^setConsent: granted: .*boolean/i],
    ['unknown key', 'candor:setConsent', { granted: true, admin: true }, /^setConsent: input: .*admin/],
    ['__proto__ key', 'candor:setConsent', JSON.parse('{"granted":true,"__proto__":{"polluted":1}}'), /^setConsent: input: .*__proto__/],
    ['huge level', 'candor:preview', { details_level: 1e12, anonymize: true }, /^preview: details_level: Too big/],
    ['non-integer level', 'candor:exportReport', { details_level: 1.5, anonymize: true }, /^exportReport: details_level: /],
    ['not an object', 'candor:pause', 'candor:disable', /^pause: input: /],
    ['bad enum', 'candor:pause', { duration: 'forever' }, /^pause: duration: /],
    ['bad hash', 'candor:historyBody', { sha256: '../etc/passwd' }, /^historyBody: sha256: expected 64 lower-case hex/],
    ['oversized string', 'candor:reportError', { type: 'x'.repeat(201), message: 'm' }, /^reportError: type: Too big/],
  ])('bad input (%s) gets an error naming what was wrong, and no call', async (_name, channel, raw, message) => {
    const result = await invoke(channel, event(), raw);
    expect(result.ok).toBe(false);
    expect(errorOf(result)).toMatch(message);
    expect(rec.calls).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('an api failure becomes an error result, never a thrown handler', async () => {
    (rec.api as unknown as Record<string, unknown>)['history'] = async () => {
      throw new Error('disk on fire');
    };
    dispose();
    dispose = registerIpc(rec.api, { isTrusted: () => true, targets: () => [] });
    expect(await invoke('candor:history', event(), {})).toEqual({
      ok: false,
      error: { name: 'ContractError', message: 'history: failed: disk on fire', status: 500 },
    });
  });

  it('pushes status changes to our windows only, and stops after dispose', () => {
    const status = statusFixture({ sending: false, reasons: ['Paused until restart'] });
    rec.emitStatus(status);
    expect(contents.sent).toEqual([['candor:status-changed', status]]);
    expect(foreign.sent).toEqual([]);
    dispose();
    rec.emitStatus(status);
    expect(contents.sent).toHaveLength(1);
    expect(registered.size).toBe(0);
    expect(rec.listenerCount()).toBe(0);
  });
});
