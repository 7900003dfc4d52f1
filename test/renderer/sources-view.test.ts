import { describe, expect, it } from 'vitest';
import type { FieldChange, SourceInfo } from '../../main/api.js';
import type { SourceSection } from '../../main/report/payload-schema.js';
import {
  answerText,
  dataView,
  pendingTree,
  rebaseChanges,
  receivedText,
  summaryText,
  waitingText,
  type SourceEntry,
  type SourcesPreview,
} from '../../renderer/sources-view.js';
import { formatTime } from '../../renderer/time-format.js';

// What the Apps panel says, as pure functions (the browser tests drive the panel for real).

function section(name: string, jobs: number): SourceSection {
  return {
    name,
    version: '1.0.0',
    sdk: { language: null, name: null, version: null },
    os_type: null,
    counters: { 'jobs.done': jobs },
    timers: {},
    dropped: {},
  };
}

function info(overrides: Partial<SourceInfo> = {}): SourceInfo {
  return {
    name: 'shop-api',
    state: 'pending',
    answered_by: 'none',
    answered_at: null,
    seen: true,
    first_seen: '2026-11-29T17:00:00.000Z',
    last_seen: '2026-11-29T17:31:00.000Z',
    version: '2.4.1',
    sdk: null,
    counts: { data_points: 12, log_records: 1, error_records: 0, dropped: 0 },
    memory_bytes: 100,
    ...overrides,
  };
}

const pending = (name: string): SourceEntry => ({ name, state: 'pending', answered_by: 'none' });

function preview(overrides: Partial<SourcesPreview> = {}): SourcesPreview {
  return { level: 3, raw: false, pending: [], sent: { sources: [], changes: [] }, inPayload: [], ...overrides };
}

describe('sources view', () => {
  it('counts the apps waiting for an answer', () => {
    expect(waitingText([])).toBeNull();
    expect(waitingText([{ name: 'a', state: 'allowed', answered_by: 'person' }])).toBeNull();
    expect(waitingText([pending('a')])).toBe('1 app is waiting for your answer.');
    expect(waitingText([pending('a'), pending('b'), { name: 'c', state: 'denied', answered_by: 'operator' }])).toBe(
      '2 apps are waiting for your answer.',
    );
    expect(summaryText([])).toBe('No app reports through Candor yet.');
    expect(summaryText([{ name: 'a', state: 'denied', answered_by: 'person' }])).toBe('Every app has an answer.');
  });

  it('says who answered and when, in the page time format', () => {
    const at = '2026-11-29T17:31:00.000Z';
    expect(answerText({ name: 'a', state: 'allowed', answered_by: 'person' }, info({ answered_at: at }))).toBe(
      `Allowed by you on ${formatTime(at)}.`,
    );
    expect(answerText({ name: 'a', state: 'denied', answered_by: 'person' }, undefined)).toBe('Denied by you.');
    expect(answerText({ name: 'a', state: 'denied', answered_by: 'operator' }, undefined)).toBe(
      'Denied, set by the operator (intake.sources.deny in the configuration). Your answer wins over it.',
    );
    expect(answerText(pending('a'), undefined)).toMatch(/^No answer yet/);
  });

  it('says what reached the intake, and that a denied app has it all dropped', () => {
    expect(receivedText(pending('shop-api'), undefined)).toBeNull();
    expect(receivedText(pending('shop-api'), info({ seen: false }))).toBe('Nothing received from it since Candor started.');
    expect(receivedText(pending('shop-api'), info())).toBe(
      `Version 2.4.1. 12 data points and 1 log record received since Candor started. Last data on ${formatTime('2026-11-29T17:31:00.000Z')}.`,
    );
    expect(receivedText({ name: 'shop-api', state: 'denied', answered_by: 'person' }, info({ version: null, last_seen: null }))).toBe(
      '12 data points and 1 log record received since Candor started, all dropped.',
    );
  });

  it("rebases an app's changes onto its own tree, and only that app's", () => {
    const changes: FieldChange[] = [
      { path: '/sources/1/counters/jobs.done', action: 'rounded', raw: 1_234_567 },
      { path: '/sources/10/counters/jobs.done', action: 'rounded', raw: 7 },
      { path: '/sources/1/detail/0/hashed_labels/route', action: 'hashed', raw: '/a' },
    ];
    expect(rebaseChanges(changes, '/sources/1')).toEqual([
      { path: '/counters/jobs.done', action: 'rounded', raw: 1_234_567 },
      { path: '/detail/0/hashed_labels/route', action: 'hashed', raw: '/a' },
    ]);
  });

  it("matches a pending app's changes by its name, whatever its place in each build", () => {
    // The raw build met a new app ("aaa") that the anonymized build, made a moment before, had not.
    const view = preview({
      raw: true,
      pending: [section('aaa', 1), section('shop-api', 1_234_567)],
      sent: {
        sources: [section('shop-api', 1_234_560)],
        changes: [{ path: '/sources/0/counters/jobs.done', action: 'rounded', raw: 1_234_567 }],
      },
    });
    expect(pendingTree(view, 'shop-api')).toEqual({
      payload: section('shop-api', 1_234_567),
      changes: [{ path: '/counters/jobs.done', action: 'rounded', raw: 1_234_567 }],
      raw: true,
    });
    expect(pendingTree(view, 'aaa')?.changes).toEqual([]);
    expect(pendingTree(view, 'gone')).toBeNull();
  });

  it('tells what the shown report holds of each app', () => {
    const shop = pending('shop-api');
    const data = preview({ pending: [section('shop-api', 3)], inPayload: ['billing', 'web'] });
    expect(dataView(shop, null)).toBeNull();
    expect(dataView(shop, data)).toMatchObject({ kind: 'pending', tree: { payload: section('shop-api', 3) } });
    expect(dataView(pending('other'), data)).toMatchObject({ kind: 'note', text: expect.stringMatching(/^No data of it is held/) });
    expect(dataView({ name: 'web', state: 'allowed', answered_by: 'person' }, data)).toEqual({
      kind: 'in-payload',
      pointer: '/sources/1',
      text: 'Its data is in the payload, under sources › 1.',
    });
    expect(dataView({ name: 'quiet', state: 'allowed', answered_by: 'operator' }, data)).toMatchObject({ kind: 'note' });
    expect(dataView({ name: 'x', state: 'denied', answered_by: 'person' }, null)).toEqual({
      kind: 'note',
      text: 'Its data is dropped as it arrives: none of it is kept or sent.',
    });
    for (const level of [0, 1]) {
      expect(dataView(shop, preview({ ...data, level }))).toEqual({
        kind: 'level',
        text: `Reports carry apps' data from level 2: the level ${level} report shown holds nothing of it.`,
      });
    }
  });
});
