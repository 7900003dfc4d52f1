import { describe, expect, it } from 'vitest';
import { scrubText, type ScrubContext } from '../../main/anonymize/text.js';
import { ErrorCapture, MAX_MESSAGE_CHARS, MAX_STACK_CHARS, truncate } from '../../main/collect/errors.js';

// Capture truncates before the scrubber runs, so a cut must never leave part of a
// token behind: `10.20` of 10.20.30.40 or `bob.smith@e` of an e-mail match no pattern
// and would be sent as they are.

const MARKER = '…[truncated]';
const none: ScrubContext = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };

const SECRETS: Array<[string, string]> = [
  ['e-mail', 'bob.smith@example.com'],
  ['host', 'db-7.prod.example.com'],
  ['IPv4', '10.20.30.40'],
  ['IPv6', '2001:db8::8a2e:370:7334'],
  ['MAC', '3c:22:fb:01:02:03'],
  ['UUID', '123e4567-e89b-12d3-a456-426614174000'],
  ['URL', 'https://admin:hunter2@db.example.com/v1/items?token=abc123'],
  ['home path', '/home/carol/finance/q3-layoffs.xlsx'],
  ['Windows path', 'C:\\Users\\carol\\Documents\\q3.xlsx'],
  ['hex id', '0123456789abcdef0123456789abcdef'],
  ['token', 'RXYdgcsXy3dwLkOZJrCO+AgVKQ=='],
  ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc_DEF-123'],
];

/** What ends the text right before the secret, as error text has it. */
const BEFORE = [' ', "open '", 'connect (', '"', '<', '\n    at '];

/**
 * Text whose cut (max minus the marker) falls after `k` characters of the secret; the
 * secret also appears once, whole, near the start.
 */
function straddling(secret: string, before: string, k: number, max: number): { text: string; kept: string } {
  const head = `failed for ${secret} then `;
  const budget = max - MARKER.length;
  const fill = budget - k - head.length - before.length;
  const kept = head + 'word '.repeat(Math.floor(fill / 5)) + 'w'.repeat(fill % 5) + before;
  return { text: `${kept}${secret}' and then more text ${'tail '.repeat(40)}`, kept };
}

describe('truncate', () => {
  const rows: Array<[string, number, string]> = [
    ['short text', 50, 'short text'],
    ['one two three four five six seven eight nine ten', 30, 'one two three …[truncated]'],
    ['cut at the space right after a word', 24, 'cut at the …[truncated]'],
    ["open '/home/bob/x.txt' failed, retrying", 35, "open '/home/bob/x.txt' …[truncated]"],
    ["open '/home/bob/x.txt' failed, retrying", 30, "open '…[truncated]"],
    ['a,b;c(d)e[f]g{h}i|j<k>l"m`n', 26, 'a,b;c(d)e[f]g{…[truncated]'],
    ['no-separator-anywhere-in-this-long-run', 20, '…[truncated]'],
  ];
  it.each(rows)('%j to %i -> %j', (text, max, expected) => {
    const out = truncate(text, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });

  for (const [label, max] of [
    ['message', MAX_MESSAGE_CHARS],
    ['stack', MAX_STACK_CHARS],
  ] as const) {
    it.each(SECRETS)(`drops a %s straddling the ${label} limit whole, wherever the limit falls in it`, (_kind, secret) => {
      for (const before of BEFORE) {
        for (let k = 1; k < secret.length; k++) {
          const { text, kept } = straddling(secret, before, k, max);
          const out = truncate(text, max);
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).toBe(kept + MARKER);
        }
      }
    });
  }
});

describe('capture then scrub: no partial token survives', () => {
  it.each(SECRETS)('%s', (_kind, secret) => {
    const prefixes = Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(0, i + 4).toLowerCase());
    for (const before of BEFORE) {
      for (let k = 1; k < secret.length; k++) {
        const capture = new ErrorCapture();
        const message = straddling(secret, before, k, MAX_MESSAGE_CHARS).text;
        const stack = `Error: x\n    at run (/opt/app/x.js:1:1)\n${straddling(secret, before, k, MAX_STACK_CHARS - 34).text}`;
        capture.record({ source: 'main', kind: 'reported', type: 'Error', message, stack });
        const [c] = capture.section().captured;
        for (const field of [c?.message ?? '', c?.stack ?? '']) {
          const scrubbed = scrubText(field, none).toLowerCase();
          expect(scrubbed.endsWith(MARKER)).toBe(true);
          for (const p of prefixes) expect(scrubbed, `${secret} cut after ${k} (${JSON.stringify(before)})`).not.toContain(p);
        }
      }
    }
  });
});
