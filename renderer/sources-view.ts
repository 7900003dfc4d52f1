import type { AgentStatus, FieldChange, SourceInfo } from '../main/api.js';
import type { SourceSection } from '../main/report/payload-schema.js';
import { formatTime } from './time-format.js';
import type { TreeData } from './tree-data.js';

// What the Apps panel says about each app, as pure functions of the agent's answers:
// its state and who set it, and what of its data the shown report holds. Pending apps'
// data comes from the preview's `pending` part (never sent); allowed apps' data is in
// the payload's `sources`; a denied app's data is dropped at the intake.

export type SourceEntry = AgentStatus['sources'][number];

/** Reports hold apps' data from this details level up (payload-schema.ts: `sources`, level 2). */
export const SOURCES_LEVEL = 2;

/** The preview as the Apps panel needs it, from the same build the payload tree shows. */
export interface SourcesPreview {
  level: number;
  /** True when the shown values are raw (never sent). */
  raw: boolean;
  /** Pending apps' data as shown: raw or anonymized, like the payload tree. */
  pending: SourceSection[];
  /** The anonymized build's pending part: its changes mark what sending would change. */
  sent: { sources: SourceSection[]; changes: FieldChange[] };
  /** Names of the apps in the shown payload's `sources`, in order. */
  inPayload: string[];
}

export type SourceDataView =
  | { kind: 'level'; text: string }
  | { kind: 'pending'; tree: TreeData }
  | { kind: 'in-payload'; pointer: string; text: string }
  | { kind: 'note'; text: string };

export function stateLabel(state: SourceEntry['state']): string {
  return state === 'pending' ? 'waiting for your answer' : state;
}

/** "1 app is waiting for your answer." and the like; null when none waits. */
export function waitingText(entries: readonly SourceEntry[]): string | null {
  const waiting = entries.filter((entry) => entry.state === 'pending').length;
  if (waiting === 0) return null;
  return waiting === 1 ? '1 app is waiting for your answer.' : `${waiting} apps are waiting for your answer.`;
}

export function summaryText(entries: readonly SourceEntry[]): string {
  if (entries.length === 0) return 'No app reports through Candor yet.';
  return waitingText(entries) ?? 'Every app has an answer.';
}

/** Who answered, and when. */
export function answerText(entry: SourceEntry, info: SourceInfo | undefined): string {
  if (entry.state === 'pending') return 'No answer yet: nothing of it leaves this machine until you answer.';
  const verb = entry.state === 'allowed' ? 'Allowed' : 'Denied';
  if (entry.answered_by === 'operator') {
    const list = entry.state === 'allowed' ? 'intake.sources.allow' : 'intake.sources.deny';
    return `${verb}, set by the operator (${list} in the configuration). Your answer wins over it.`;
  }
  const at = info?.answered_at ?? null;
  return `${verb} by you${at === null ? '' : ` on ${formatTime(at)}`}.`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What reached the intake from it since the agent started. */
export function receivedText(entry: SourceEntry, info: SourceInfo | undefined): string | null {
  if (info === undefined) return null;
  if (!info.seen) return 'Nothing received from it since Candor started.';
  const { data_points, log_records, dropped } = info.counts;
  const version = info.version === null ? '' : `Version ${info.version}. `;
  const last = info.last_seen === null ? '' : ` Last data on ${formatTime(info.last_seen)}.`;
  const droppedText = entry.state === 'denied' ? ', all dropped' : dropped > 0 ? `, ${dropped} dropped by the intake's rules` : '';
  return `${version}${plural(data_points, 'data point')} and ${plural(log_records, 'log record')} received since Candor started${droppedText}.${last}`;
}

/** `changes` under `prefix` (one source of the pending list), with pointers relative to that source. */
export function rebaseChanges(changes: readonly FieldChange[], prefix: string): FieldChange[] {
  return changes.flatMap((change) => (change.path.startsWith(`${prefix}/`) ? [{ ...change, path: change.path.slice(prefix.length) }] : []));
}

/** The would-be data of a pending app as a tree, with the anonymizer's changes matched by the app's name. */
export function pendingTree(preview: SourcesPreview, name: string): TreeData | null {
  const shown = preview.pending.find((source) => source.name === name);
  if (shown === undefined) return null;
  const index = preview.sent.sources.findIndex((source) => source.name === name);
  return { payload: shown, changes: index === -1 ? [] : rebaseChanges(preview.sent.changes, `/sources/${index}`), raw: preview.raw };
}

/** What the panel shows of an app's data in the report being previewed. */
export function dataView(entry: SourceEntry, preview: SourcesPreview | null): SourceDataView | null {
  if (entry.state === 'denied') return { kind: 'note', text: 'Its data is dropped as it arrives: none of it is kept or sent.' };
  if (preview === null) return null;
  if (preview.level < SOURCES_LEVEL) {
    return {
      kind: 'level',
      text: `Reports carry apps' data from level ${SOURCES_LEVEL}: the level ${preview.level} report shown holds nothing of it.`,
    };
  }
  if (entry.state === 'pending') {
    const tree = pendingTree(preview, entry.name);
    return tree === null
      ? { kind: 'note', text: 'No data of it is held: it has sent nothing since Candor started.' }
      : { kind: 'pending', tree };
  }
  const index = preview.inPayload.indexOf(entry.name);
  if (index === -1) return { kind: 'note', text: 'It has sent nothing since Candor started, so the report holds nothing of it yet.' };
  return { kind: 'in-payload', pointer: `/sources/${index}`, text: `Its data is in the payload, under sources › ${index}.` };
}
