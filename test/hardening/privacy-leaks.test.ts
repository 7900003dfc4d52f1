import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubText, type ScrubContext } from '../../main/anonymize/text.js';
import { word } from './generators/identity.js';
import { base64Token, urlWithIpv6Host } from './generators/planted.js';
import { survivors } from './generators/texts.js';

// Leaks the privacy fuzzing found in main/anonymize/text.ts, one test each. They were
// `it.fails` while the leak was there; each is fixed now (the comment above it says
// what the cause was and how it was fixed) and stays here as a regression test.

const none: ScrubContext = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };
const scrub = (text: string, ctx: ScrubContext = none): string => scrubText(text, ctx);

describe('pending: scrubText leaks', () => {
  // POSIX_PATH's lookbehind refuses `=`, so `HOME=/home/x`, `--data-dir=/home/x/...`
  // keep the path and the user name. Fix: drop `=` from that lookbehind class.
  it('a home path right after `=` (env dumps, --flag=value) is scrubbed', () => {
    fc.assert(
      fc.property(word, word, fc.constantFrom('HOME=', '--data-dir=', 'cwd=', 'path='), (user, dir, prefix) => {
        const out = scrub(`spawn failed: ${prefix}/home/${user}/${dir}/q3.xlsx`);
        expect(out).not.toContain(user);
        expect(out).not.toContain(dir);
      }),
      { numRuns: 50 },
    );
  });

  // IPV6 and MAC refuse a following `:` (so 12:30:45 stays), which also keeps
  // "from 2001:db8::1: unexpected". Fix: lookaheads `(?![\w%]|:[0-9A-Fa-f:]|\.\w)`
  // for IPV6 and `(?![\w-]|:[0-9A-Fa-f]|\.\w)` for MAC.
  it('an IPv6 or MAC address followed by ": " is scrubbed', () => {
    expect(scrub('connect failed from 2001:db8::8a2e:370:7334: timed out')).not.toContain('2001:db8');
    expect(scrub('link 3c:22:fb:01:02:03: down')).not.toContain('3c:22:fb');
  });

  // URL_RE needs a non-stop character after `://`, and `[` is a stop character, so a
  // URL with an IPv6 literal host is not a URL: its path and query stay.
  // Fix: URL_RE = `(?<![\w+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/(?:\[[0-9A-Fa-f:.]{2,45}(?:%[\w.-]{1,32})?\])?[^${STOP}]*` (and skip an empty match).
  it('a URL whose host is an IPv6 literal is replaced whole', () => {
    fc.assert(
      fc.property(urlWithIpv6Host, (p) => {
        expect(survivors(scrub(`request to ${p.text} failed`), [p])).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  // looksRandom wanted two digits; about 1.6% of random 18-48 byte base64 tokens have
  // fewer. Fixed in main/anonymize/random-run.ts: with fewer than two digits a run is
  // judged by its camelCase word length, share of upper case, consonant triples and
  // case switches (identifiers have long words, few capitals; random text the reverse).
  it('random base64 tokens are replaced whatever their digit count', () => {
    fc.assert(
      fc.property(base64Token, (p) => {
        expect(survivors(scrub(`Authorization failed for token ${p.text}`), [p])).toEqual([]);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  // WIN_PATH takes \\?\C:\ and UNC_PATH refuses `?` after `\\`, so \\?\UNC\server\share
  // (the long-path form of \\server\share) keeps the server and share names.
  // Fix: UNC_PATH = `(?<![\w\\/])\\\\(?:[?.]\\UNC\\)?[^${STOP}\\?.][^${STOP}]*` and parse()'s verbatim branch already handles UNC.
  it('a \\\\?\\UNC\\server\\share path is scrubbed', () => {
    expect(scrub('open \\\\?\\UNC\\fileserver07\\payroll\\2025.xlsx failed')).not.toContain('fileserver07');
  });

  // wordRegExp refuses a name right after `<` or before `>` so a second pass cannot
  // touch `<user>`; placeholders already protect tokens, so the guard is only needed
  // for the token words. Fix: `(?<![\p{L}\p{N}_])(?<!<(?=(?:app|home|path|host|user|ip|mac|uuid|url|email|hex|token|secret)>))`.
  it("this machine's user name in angle brackets is scrubbed", () => {
    const ctx: ScrubContext = { homeDirs: [], userNames: ['zelmarquo'], hostNames: [], appRoot: null };
    expect(scrub('Author: <zelmarquo>', ctx)).not.toContain('zelmarquo');
  });

  // POSIX_PATH's lookbehind allows `…`, so the kept `/index.js` after `<home>/…`
  // becomes `<path>/index.js` on a second pass. Not a leak, but scrubbing is meant to
  // be idempotent. Fix: add `…` to POSIX_PATH's lookbehind class.
  it('scrubbing twice changes nothing', () => {
    const ctx: ScrubContext = { homeDirs: ['/home/zel'], userNames: ['zel'], hostNames: [], appRoot: null };
    const once = scrub('at /home/zel/proj/index.js:1:2', ctx);
    expect(scrub(once, ctx)).toBe(once);
  });
});
