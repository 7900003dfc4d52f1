import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeThrown, ErrorCapture, type ErrorInput, MAX_MESSAGE_CHARS, MAX_STACK_CHARS } from '../../main/collect/errors.js';
import { fingerprint, topFrames } from '../../main/collect/stack-frames.js';
import { type LogLevel, setLogSink } from '../../main/util/log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-errors-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A clock the test moves by hand. */
function clock(start = '2025-03-01T10:00:00.000Z'): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

function stackAt(type: string, frames: string[]): string {
  return [`${type}: message`, ...frames.map((f) => `    at ${f}`)].join('\n');
}

const input = (over: Partial<ErrorInput> = {}): ErrorInput => ({
  source: 'main',
  kind: 'reported',
  type: 'TypeError',
  message: 'x is not a function',
  stack: stackAt('TypeError', ['run (/home/alice/app/dist/job.js:10:5)', 'main (/home/alice/app/dist/index.js:3:1)']),
  ...over,
});

/** A process stand-in: install() only uses the listener API. `emitter` emits what Node would. */
function fakeProcess(): { target: NodeJS.Process; emitter: EventEmitter } {
  const emitter = new EventEmitter();
  return { target: emitter as unknown as NodeJS.Process, emitter };
}

describe('fingerprints', () => {
  it('ignore line/column numbers and directories, keep function and file names', () => {
    expect(
      topFrames(
        stackAt('E', [
          'run (/home/alice/app/dist/job.js:10:5)',
          'file:///C:/x/y/boot.mjs:1:2',
          'async go (C:\\Users\\bob\\app\\z.js:7:7)',
          'x (node:internal/timers:594:17)',
          'y (http://localhost:5173/src/ui.ts?t=123:4:9)',
          '<anonymous>',
        ]),
      ),
    ).toEqual(['run@job.js', '@boot.mjs', 'async go@z.js', 'x@timers', 'y@ui.ts']);
    const a = stackAt('TypeError', ['run (/home/alice/app/dist/job.js:10:5)']);
    const b = stackAt('TypeError', ['run (/opt/Candor/resources/app.asar/dist/job.js:99:1)']);
    expect(fingerprint('TypeError', a, 'one')).toBe(fingerprint('TypeError', b, 'two'));
    expect(fingerprint('RangeError', a, 'one')).not.toBe(fingerprint('TypeError', a, 'one'));
    expect(fingerprint('TypeError', stackAt('TypeError', ['other (/a/job.js:10:5)']), 'one')).not.toBe(fingerprint('TypeError', a, 'one'));
  });

  it('use only the top 5 frames', () => {
    const top = ['a (/x/1.js:1:1)', 'b (/x/2.js:1:1)', 'c (/x/3.js:1:1)', 'd (/x/4.js:1:1)', 'e (/x/5.js:1:1)'];
    expect(fingerprint('E', stackAt('E', [...top, 'f (/x/6.js:1:1)']), '')).toBe(
      fingerprint('E', stackAt('E', [...top, 'g (/x/7.js:1:1)']), ''),
    );
  });

  it('fall back to the message when there are no frames', () => {
    expect(fingerprint('string', '', 'a')).not.toBe(fingerprint('string', '', 'b'));
  });
});

describe('ErrorCapture', () => {
  it('de-duplicates by fingerprint: counts, first_seen and last_seen', () => {
    const t = clock();
    const capture = new ErrorCapture({ now: t.now });
    capture.record(input());
    t.advance(60_000);
    capture.record(
      input({
        message: 'y is not a function',
        stack: stackAt('TypeError', ['run (/home/alice/app/dist/job.js:11:9)', 'main (/home/alice/app/dist/index.js:4:1)']),
      }),
    );
    capture.record(input({ type: 'RangeError' }));
    const { captured, dropped } = capture.section();
    expect(dropped).toBe(0);
    expect(captured.map((c) => [c.type, c.count])).toEqual([
      ['RangeError', 1],
      ['TypeError', 2],
    ]);
    expect(captured[1]).toMatchObject({
      first_seen: '2025-03-01T10:00:00.000Z',
      last_seen: '2025-03-01T10:01:00.000Z',
      message: 'y is not a function',
      kind: 'reported',
      source: 'main',
    });
    expect(captured[1]?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('evicts the least recently seen distinct error when full, and counts it in dropped', () => {
    const t = clock();
    const capture = new ErrorCapture({ capacity: 3, now: t.now });
    const err = (name: string): ErrorInput => input({ type: name, stack: stackAt(name, [`${name} (/a.js:1:1)`]) });
    for (const name of ['A', 'B', 'C']) {
      capture.record(err(name));
      t.advance(1000);
    }
    capture.record(err('A')); // A is now the most recent; B is the least recent
    t.advance(1000);
    capture.record(err('D'));
    capture.record(err('E'));
    const section = capture.section();
    expect(section.captured.map((c) => c.type)).toEqual(['E', 'D', 'A']);
    expect(section.dropped).toBe(2);
    expect(section.captured[2]?.count).toBe(2);
  });

  it('truncates type, message and stack to fixed maxima, at a word boundary', () => {
    const capture = new ErrorCapture();
    capture.record(input({ type: 'T'.repeat(1000), message: 'word '.repeat(10_000), stack: 'frame\n'.repeat(20_000) }));
    const [c] = capture.section().captured;
    expect(c?.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(c?.message.length).toBeGreaterThan(MAX_MESSAGE_CHARS - 20);
    expect(c?.message.endsWith('word …[truncated]')).toBe(true);
    expect(c?.stack.length).toBeLessThanOrEqual(MAX_STACK_CHARS);
    expect(c?.stack.endsWith('frame\n…[truncated]')).toBe(true);
    // one run with nothing that ends a token: no part of it can be kept safely
    expect(c?.type).toBe('…[truncated]');
    expect(new ErrorCapture().section()).toEqual({ captured: [], dropped: 0 });
  });

  it('refuses malformed input with an error naming the field', () => {
    const capture = new ErrorCapture();
    expect(() => capture.record(input({ source: 'gpu' as 'main' }))).toThrow(`ErrorInput.source must be 'main' or 'renderer', got "gpu"`);
    expect(() => capture.record(input({ kind: 'fatal' as 'reported' }))).toThrow('ErrorInput.kind must be');
    expect(() => capture.record(input({ message: 3 as unknown as string }))).toThrow('ErrorInput.message must be a string, got number');
    expect(() => new ErrorCapture({ capacity: 0 })).toThrow('ErrorCapture capacity must be a positive integer, got 0');
  });

  it('records any thrown value: Errors, subclasses, strings, null, objects, hostile objects', () => {
    class Oops extends Error {}
    const circular: Record<string, unknown> = { a: 1 };
    circular['self'] = circular;
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no');
        },
        getPrototypeOf: () => {
          throw new Error('no');
        },
      },
    );
    expect(describeThrown(new TypeError('bad'))).toMatchObject({ type: 'TypeError', message: 'bad' });
    expect(describeThrown(new Oops('custom'))).toMatchObject({ type: 'Oops', message: 'custom' });
    expect(describeThrown(new Oops('custom')).stack).toContain('errors.test.ts');
    expect(describeThrown('plain string')).toEqual({ type: 'string', message: 'plain string' });
    expect(describeThrown(null)).toEqual({ type: 'null', message: 'null' });
    expect(describeThrown(undefined)).toEqual({ type: 'undefined', message: 'undefined' });
    expect(describeThrown(42)).toEqual({ type: 'number', message: '42' });
    expect(describeThrown({ code: 7 })).toEqual({ type: 'Object', message: '{"code":7}' });
    expect(describeThrown({ name: 'FetchError', message: 'refused', stack: 'FetchError: refused\n    at f (/x.js:1:1)' })).toEqual({
      type: 'FetchError',
      message: 'refused',
      stack: 'FetchError: refused\n    at f (/x.js:1:1)',
    });
    expect(describeThrown(circular)).toEqual({ type: 'Object', message: '[object Object]' });
    expect(describeThrown(hostile)).toEqual({ type: 'unknown', message: '[a thrown value that could not be read]' });

    const capture = new ErrorCapture();
    for (const v of ['s', null, undefined, 1, circular, hostile, new Oops('o')]) capture.recordError(v, 'renderer', 'reported');
    const captured = capture.section().captured;
    expect(captured.map((c) => c.type)).toEqual(['Oops', 'unknown', 'Object', 'number', 'undefined', 'null', 'string']);
    expect(captured.every((c) => c.source === 'renderer' && typeof c.stack === 'string')).toBe(true);
  });

  it('install() watches uncaughtExceptionMonitor by origin and uninstalls cleanly', () => {
    const { target, emitter } = fakeProcess();
    const capture = new ErrorCapture();
    const uninstall = capture.install(target);
    expect(() => capture.install(target)).toThrow('already installed');
    emitter.emit('uncaughtExceptionMonitor', new TypeError('thrown'), 'uncaughtException');
    emitter.emit('uncaughtExceptionMonitor', new RangeError('rejected'), 'unhandledRejection');
    uninstall();
    expect(target.listenerCount('uncaughtExceptionMonitor')).toBe(0);
    emitter.emit('uncaughtExceptionMonitor', new Error('after'), 'uncaughtException');
    expect(capture.section().captured.map((c) => [c.type, c.kind, c.source])).toEqual([
      ['RangeError', 'unhandledRejection', 'main'],
      ['TypeError', 'uncaughtException', 'main'],
    ]);
    expect(() => capture.install(target)()).not.toThrow(); // can be installed again after uninstall
  });

  it('persists on an uncaught error (user-only file) and the next capture reports it once', () => {
    const file = join(dir, 'state', 'errors.json');
    const t = clock();
    const first = new ErrorCapture({ persistFile: file, now: t.now });
    first.record(input());
    const { target, emitter } = fakeProcess();
    first.install(target);
    emitter.emit('uncaughtExceptionMonitor', new SyntaxError('crash'), 'uncaughtException');
    expect(existsSync(file)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);

    // The next start reads it, and keeps it on disk until a report carrying it is queued.
    const second = new ErrorCapture({ persistFile: file, now: t.now });
    expect(second.section()).toEqual(first.section());
    expect(existsSync(file)).toBe(true);
    const { section, markQueued } = second.sectionForReport();
    expect(section).toEqual(first.section());
    markQueued();
    expect(existsSync(file)).toBe(false);
    expect(new ErrorCapture({ persistFile: file }).section()).toEqual({ captured: [], dropped: 0 });
  });

  it('keeps a reported error on disk until a report carrying it is queued, then queues only later occurrences', () => {
    const file = join(dir, 'errors.json');
    const t = clock();
    const capture = new ErrorCapture({ persistFile: file, now: t.now });
    capture.record(input({ kind: 'reported' }));
    // A normal exit or a kill now: the next start finds it.
    expect(new ErrorCapture({ persistFile: file, consumePersisted: false }).section().captured).toHaveLength(1);
    const { markQueued } = capture.sectionForReport();
    capture.record(input({ kind: 'reported' })); // after the report was built: not in it
    markQueued();
    const left = new ErrorCapture({ persistFile: file, consumePersisted: false }).section().captured;
    expect(left.map((e) => e.count)).toEqual([1]);
    capture.sectionForReport().markQueued();
    expect(existsSync(file)).toBe(false);
    capture.flushPending();
    expect(existsSync(file)).toBe(false);
  });

  it('records the error code of a thrown error', () => {
    const capture = new ErrorCapture();
    const error = Object.assign(new Error("ENOENT: no such file or directory, open '/home/bob/x'"), { code: 'ENOENT' });
    capture.recordError(error, 'main', 'reported');
    capture.recordError(Object.assign(new RangeError('status'), { code: 404 }), 'main', 'reported');
    expect(capture.section().captured.map((e) => e.code)).toEqual(['404', 'ENOENT']);
  });

  it('moves a corrupt persist file aside, logging its new name, and starts empty', () => {
    const lines: [LogLevel, string][] = [];
    const previous = setLogSink((level, line) => lines.push([level, line]));
    try {
      for (const [i, body] of [
        '{not json',
        JSON.stringify({ format: 'candor-errors-v1', captured: [{ type: 1 }], dropped: 0 }),
      ].entries()) {
        const file = join(dir, `errors-${i}.json`);
        writeFileSync(file, body);
        const capture = new ErrorCapture({ persistFile: file, now: () => new Date('2025-03-01T10:00:00.000Z') });
        expect(capture.section()).toEqual({ captured: [], dropped: 0 });
        expect(existsSync(file)).toBe(false);
        const aside = `errors-${i}.json.corrupt-2025-03-01T10-00-00-000Z`;
        expect(readdirSync(dir)).toContain(aside);
        expect(readFileSync(join(dir, aside), 'utf8')).toBe(body);
        expect(lines.at(-1)?.[0]).toBe('warn');
        expect(lines.at(-1)?.[1]).toContain(join(dir, aside));
      }
    } finally {
      setLogSink(previous);
    }
  });
});

it('produces a section the payload schema accepts, with the frames parsed from each stack', async () => {
  const { Payload } = await import('../../main/report/payload-schema.js');
  const { errorsSection } = await import('../../main/report/raw-payload.js');
  const capture = new ErrorCapture();
  for (const v of [new Error('e'), 'text', null, { weird: true }]) capture.recordError(v, 'main', 'reported');
  capture.record(input({ stack: undefined }));
  capture.record(input());
  const section = errorsSection(capture.section());
  expect(() => Payload.shape.errors.unwrap().parse(section)).not.toThrow();
  expect(section.captured[0]?.frames.map((f) => [f.fn, f.file, f.line])).toEqual([
    ['run', '/home/alice/app/dist/job.js', 10],
    ['main', '/home/alice/app/dist/index.js', 3],
  ]);
});
