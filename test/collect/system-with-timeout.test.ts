import { describe, expect, it } from 'vitest';
import { withTimeout } from '../../main/collect/with-timeout.js';

describe('withTimeout', () => {
  it('passes a value through', async () => {
    expect(await withTimeout('mem', 1000, async () => 42)).toEqual({ ok: true, value: 42 });
  });

  it('turns a rejection into a reason naming the label and the message', async () => {
    expect(await withTimeout('cpu', 1000, () => Promise.reject(new Error('boom')))).toEqual({ ok: false, reason: 'cpu failed: boom' });
  });

  it('turns a synchronous throw and a non-Error rejection into reasons', async () => {
    expect(
      await withTimeout('osInfo', 1000, () => {
        throw new TypeError('not a function');
      }),
    ).toEqual({ ok: false, reason: 'osInfo failed: not a function' });
    expect(await withTimeout('graphics', 1000, () => Promise.reject('lspci gone'))).toEqual({
      ok: false,
      reason: 'graphics failed: lspci gone',
    });
  });

  it('gives up on a promise that never settles', async () => {
    expect(await withTimeout('graphics', 50, () => new Promise<never>(() => undefined))).toEqual({
      ok: false,
      reason: 'graphics timed out after 50 ms',
    });
  });

  it('swallows the late rejection of a promise it gave up on', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail: (e: Error) => void = () => undefined;
      const late = new Promise<never>((_resolve, reject) => {
        fail = reject;
      });
      expect(await withTimeout('system', 20, () => late)).toEqual({ ok: false, reason: 'system timed out after 20 ms' });
      fail(new Error('too late'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('refuses a timeout that is not positive, saying so', async () => {
    expect(await withTimeout('mem', -1, async () => 1)).toEqual({
      ok: false,
      reason: 'mem failed: timeout must be a positive number of ms, got -1',
    });
  });
});
