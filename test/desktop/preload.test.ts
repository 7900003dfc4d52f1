import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES } from '../../main/transport/ipc-channels.js';

// Fake contextBridge and ipcRenderer at the runner level and capture what the preload exposes.
const exposed = new Map<string, unknown>();
const invoked: { channel: string; args: unknown[] }[] = [];
const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
let reply: unknown = { ok: true, value: 'fine' };

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return reply;
    },
    on: (channel: string, listener: (...args: unknown[]) => void) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
    },
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => listeners.get(channel)?.delete(listener),
  },
}));

type Exposed = Record<string, (...args: unknown[]) => unknown>;
let candor: Exposed;

beforeAll(async () => {
  await import('../../main/desktop/preload.js');
  candor = exposed.get('candor') as Exposed;
});

describe('preload (window.candor)', () => {
  it('exposes only window.candor, with every call name plus onStatus and nothing else', () => {
    expect([...exposed.keys()]).toEqual(['candor']);
    expect(Object.keys(candor).sort()).toEqual([...CALL_NAMES, 'onStatus'].sort());
    for (const value of Object.values(candor)) expect(typeof value).toBe('function');
    for (const banned of ['send', 'invoke', 'on', 'ipcRenderer', 'sendSync', 'call']) expect(candor).not.toHaveProperty(banned);
  });

  it('each verb is bound to its own channel: a channel name passed in is only data', async () => {
    for (const name of CALL_NAMES) {
      invoked.length = 0;
      await candor[name]?.('candor:disable');
      expect(invoked).toEqual([{ channel: `candor:${name}`, args: ['candor:disable'] }]);
    }
    for (const [name, fn] of Object.entries(candor)) expect(fn.length, name).toBeLessThanOrEqual(1);
  });

  it('returns the value of a successful call and rethrows an error result with its message', async () => {
    reply = { ok: true, value: { cleared: 3 } };
    await expect(candor['clearHistory']?.({})).resolves.toEqual({ cleared: 3 });
    reply = { ok: false, error: { name: 'ContractError', message: 'preview: details_level: Too big', status: 400 } };
    await expect(candor['preview']?.({ details_level: 1e9, anonymize: true })).rejects.toThrow('preview: details_level: Too big');
  });

  it('onStatus delivers the status only (never the IPC event) and unsubscribes', () => {
    const seen: unknown[][] = [];
    const unsubscribe = candor['onStatus']?.((...args: unknown[]) => seen.push(args)) as () => void;
    const channelListeners = listeners.get('candor:status-changed');
    expect(channelListeners?.size).toBe(1);
    for (const listener of channelListeners ?? []) listener({ sender: 'secret' }, { sending: true });
    expect(seen).toEqual([[{ sending: true }]]);
    unsubscribe();
    expect(listeners.get('candor:status-changed')?.size).toBe(0);
    expect(() => candor['onStatus']?.('candor:status-changed')).toThrow(TypeError);
  });
});
