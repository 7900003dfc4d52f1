import type { ChangeAction } from '../main/api.js';

// Words for what the anonymizer did, and how values read in the page.

const done: Record<ChangeAction, string> = {
  hashed: 'Hashed with a key made at this start, kept in memory only and never sent.',
  rounded: 'Rounded: big integers to six significant digits, fractions to three, sizes to their marketed size.',
  categorized: 'Sent as one of a fixed list of values (anything else as "other").',
  templated: 'Rebuilt from known words; anything else replaced by a typed placeholder.',
  scrubbed: 'Paths, host names, addresses, e-mails and user names replaced by tokens.',
  coarsened: 'Time coarsened.',
  dropped: 'Removed: this field is not sent.',
};

/** What the anonymizer does for this action, as the legend explains it. */
export function actionMeaning(action: ChangeAction): string {
  return done[action];
}

export function describeAction(action: ChangeAction, raw: boolean): string {
  return raw ? `Raw value. Before sending: ${done[action].toLowerCase()}` : done[action];
}

export const wasNote = 'shown only here, never sent';

/** The accessible name of a "was" toggle: which field, and that its value stays here. */
// Starts with the visible word "was" so speech input can say it (WCAG 2.5.3, label in name).
export const wasName = (key: string): string => `was: value of ${key} before anonymizing (shown only here)`;

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value === undefined) return '(none)';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, null, 2);
  return String(value);
}
