import { describe, expect, it } from 'vitest';
import { calls } from '../../main/api.js';
import { CALL_NAMES, STATUS_CHANNEL, channelFor } from '../../main/transport/ipc-channels.js';
import { createIpcHandlers } from '../../main/transport/ipc.js';
import { recordingApi } from './fake-api.js';

describe('IPC channel table', () => {
  it('lists exactly the calls of the contract, in order', () => {
    expect([...CALL_NAMES]).toEqual(Object.keys(calls));
  });

  it('derives one candor:<name> channel per call, distinct from the status push channel', () => {
    const handlers = createIpcHandlers(recordingApi().api, () => true);
    expect(Object.keys(handlers).sort()).toEqual(
      Object.keys(calls)
        .map((name) => `candor:${name}`)
        .sort(),
    );
    expect(channelFor('preview')).toBe('candor:preview');
    expect(Object.keys(handlers)).not.toContain(STATUS_CHANNEL);
  });
});
