import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpcHandlers, channelFor, type IpcSenderEvent } from '../../main/transport/ipc.js';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { recordingApi } from '../desktop/fake-api.js';
import { badInput, expectedPrefix, goodInput } from './generators/bad-input.js';
import { CaseCount } from './generators/case-count.js';

// The IPC transport's validators under generated bad arguments: every bad call comes
// back as { ok: false, error: { message } } naming the call and the field (or
// `input`), never reaches the API, never throws, and never pollutes Object.prototype.

const count = new CaseCount();
let previousSink: LogSink;
// Refused senders are logged once per call; hundreds of them would bury the summary.
beforeAll(() => {
  previousSink = setLogSink(() => undefined);
});
afterAll(() => {
  setLogSink(previousSink);
  console.log(count.summary('input-ipc'));
});

const trusted: IpcSenderEvent = { senderFrame: { url: 'candor://app/index.html' }, sender: { id: 1 } };
const POLLUTION_PROBES = ['polluted', 'details_level', 'granted', 'send', 'anonymize', 'isAdmin'];

function prototypeClean(): boolean {
  return POLLUTION_PROBES.every((key) => !(key in Object.prototype)) && Object.getPrototypeOf(Object.prototype) === null;
}

describe('IPC handlers with bad arguments', () => {
  it('refuse every bad input with a message naming the call and the field, and never call the API', async () => {
    const recorder = recordingApi();
    const handlers = createIpcHandlers(recorder.api, () => true);
    await fc.assert(
      fc.asyncProperty(badInput, async (bad) => {
        count.add(`bad ${bad.how.split(' ')[0] ?? ''}`);
        const handler = handlers[channelFor(bad.name)];
        if (!handler) throw new Error(`no handler for ${bad.name}`);
        const before = recorder.calls.length;
        const result = await handler(trusted, bad.input);
        expect(result.ok, bad.how).toBe(false);
        if (result.ok) return;
        expect(result.error.message.startsWith(expectedPrefix(bad)), `${bad.how}: ${result.error.message.slice(0, 200)}`).toBe(true);
        expect(result.error.status).toBe(400);
        expect(recorder.calls.length).toBe(before);
        expect(prototypeClean()).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('pass every valid input through, unchanged in meaning, exactly once', async () => {
    const recorder = recordingApi();
    const handlers = createIpcHandlers(recorder.api, () => true);
    await fc.assert(
      fc.asyncProperty(goodInput, async ({ name, input }) => {
        count.add('good');
        const before = recorder.calls.length;
        const result = await handlers[channelFor(name)]?.(trusted, input);
        expect(result?.ok, JSON.stringify(result)).toBe(true);
        expect(recorder.calls.length).toBe(before + 1);
      }),
      { numRuns: 400 },
    );
  });

  it('turn hostile JavaScript values into an error result instead of a rejection', async () => {
    const recorder = recordingApi();
    const handlers = createIpcHandlers(recorder.api, () => true);
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    const hostile: unknown[] = [
      Object.defineProperty({}, 'granted', {
        enumerable: true,
        get: () => {
          throw new Error('getter');
        },
      }),
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error('ownKeys');
          },
          get: () => {
            throw new Error('get');
          },
        },
      ),
      circular,
      Object.assign(Object.create(null) as Record<string, unknown>, { granted: 'yes' }),
      Symbol('x'),
      10n,
      () => ({ granted: true }),
      new Date(0),
      new Map([['granted', true]]),
    ];
    for (const [i, input] of hostile.entries()) {
      // None of these is a valid setConsent or reportError argument: refused, and the API never sees it.
      for (const name of ['setConsent', 'reportError'] as const) {
        count.add('hostile');
        const before = recorder.calls.length;
        const result = await handlers[channelFor(name)]?.(trusted, input);
        const what = `${name} with hostile value #${i} (${typeof input})`;
        expect(result?.ok, what).toBe(false);
        if (result && !result.ok) expect(result.error.message.startsWith(`${name}: `), `${what}: ${result.error.message}`).toBe(true);
        expect(recorder.calls.length, `${what} reached the API`).toBe(before);
      }
      // status takes no arguments: whatever it gets, it answers (or refuses) without throwing.
      count.add('hostile');
      const result = await handlers[channelFor('status')]?.(trusted, input);
      expect(result, `status with hostile value #${i}`).toBeDefined();
      if (result && !result.ok) expect(result.error.message.startsWith('status: ')).toBe(true);
    }
    expect(prototypeClean()).toBe(true);
  });

  it('refuse an untrusted sender before looking at the arguments', async () => {
    const recorder = recordingApi();
    const handlers = createIpcHandlers(recorder.api, (url) => url.startsWith('candor://'));
    await fc.assert(
      fc.asyncProperty(goodInput, fc.oneof(fc.webUrl(), fc.constant('')), async ({ name, input }, url) => {
        count.add('untrusted');
        const result = await handlers[channelFor(name)]?.({ senderFrame: url === '' ? null : { url }, sender: { id: 2 } }, input);
        expect(result?.ok).toBe(false);
        if (result && !result.ok) expect(result.error.message).toBe(`${name}: refused: the sender is not a Candor window`);
      }),
      { numRuns: 200 },
    );
    expect(recorder.calls).toEqual([]);
  });
});
