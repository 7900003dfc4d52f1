import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCapture } from '../../main/collect/errors.js';
import { loadPersisted, writePersistedSync } from '../../main/collect/errors-persist.js';
import { type LogLevel, setLogSink } from '../../main/util/log.js';

// A crash file must reach the process that reports it (the agent): a short-lived
// passive reader (`candor status`) may show it but must not consume it.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-errors-persist-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const now = (): Date => new Date('2025-03-01T10:00:00.000Z');

/** A crash file as a crashed agent leaves it, with one uncaught exception. */
function crashFile(): { file: string; body: string; section: ReturnType<ErrorCapture['section']> } {
  const file = join(dir, 'state', 'errors.json');
  const crashed = new ErrorCapture({ now });
  crashed.record({
    source: 'main',
    kind: 'uncaughtException',
    type: 'TypeError',
    message: 'boom',
    stack: 'TypeError: boom\n    at run (/opt/app/x.js:1:1)',
  });
  writePersistedSync(file, crashed.section());
  return { file, body: readFileSync(file, 'utf8'), section: crashed.section() };
}

describe('consumePersisted', () => {
  it('false: a passive reader sees the crash and leaves the file exactly as it was', () => {
    const { file, body, section } = crashFile();
    for (let i = 0; i < 3; i++) {
      const passive = new ErrorCapture({ persistFile: file, now, consumePersisted: false });
      expect(passive.section()).toEqual(section);
      expect(readFileSync(file, 'utf8')).toBe(body);
    }
    // the agent, started afterwards, still gets it, once: off the disk when its report is queued
    const agent = new ErrorCapture({ persistFile: file, now });
    expect(agent.section()).toEqual(section);
    agent.sectionForReport().markQueued();
    expect(existsSync(file)).toBe(false);
    expect(new ErrorCapture({ persistFile: file, now, consumePersisted: false }).section()).toEqual({ captured: [], dropped: 0 });
  });

  it('true (and by default): the reader takes the errors over, keeping them on disk until a report carrying them is queued', () => {
    for (const consumePersisted of [true, undefined]) {
      const { file, section } = crashFile();
      const capture = new ErrorCapture({ persistFile: file, now, ...(consumePersisted === undefined ? {} : { consumePersisted }) });
      expect(capture.section()).toEqual(section);
      expect(new ErrorCapture({ persistFile: file, now, consumePersisted: false }).section()).toEqual(section);
      capture.sectionForReport().markQueued();
      expect(existsSync(file)).toBe(false);
    }
  });

  it('false: a corrupt file is left in place for the agent to move aside', () => {
    const lines: [LogLevel, string][] = [];
    const previous = setLogSink((level, line) => lines.push([level, line]));
    try {
      const file = join(dir, 'errors.json');
      writeFileSync(file, '{not json');
      expect(new ErrorCapture({ persistFile: file, now, consumePersisted: false }).section()).toEqual({ captured: [], dropped: 0 });
      expect(readdirSync(dir)).toEqual(['errors.json']);
      expect(readFileSync(file, 'utf8')).toBe('{not json');
      expect(lines.at(-1)?.[0]).toBe('warn');
      // the agent then moves it aside as before
      new ErrorCapture({ persistFile: file, now });
      expect(readdirSync(dir)).toEqual(['errors.json.corrupt-2025-03-01T10-00-00-000Z']);
    } finally {
      setLogSink(previous);
    }
  });

  it('loadPersisted: consume false reads, consume true (the default) reads and removes, a missing file is undefined', () => {
    const { file, section } = crashFile();
    expect(loadPersisted(file, now(), { consume: false })).toEqual(section);
    expect(existsSync(file)).toBe(true);
    expect(loadPersisted(file, now())).toEqual(section);
    expect(existsSync(file)).toBe(false);
    expect(loadPersisted(file, now(), { consume: false })).toBeUndefined();
  });
});
