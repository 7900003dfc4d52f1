import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { scrubText, type ScrubContext } from '../../main/anonymize/text.js';
import { CaseCount } from './generators/case-count.js';
import { identity, type Identity } from './generators/identity.js';
import { anySecret } from './generators/planted.js';
import { plantedText, survivors } from './generators/texts.js';

// scrubText against generated error messages, stack traces and config values that
// embed a generated person's names, home paths, addresses and tokens: none of the
// planted secrets may survive, whichever form (Linux, macOS, Windows, \\?\, file://)
// they take, and a second pass must change nothing.

const count = new CaseCount();
afterAll(() => console.log(count.summary('privacy-scrub')));

function contextFor(id: Identity): ScrubContext {
  return { homeDirs: [id.home], userNames: [id.user], hostNames: [id.host, id.host.split('.')[0] ?? id.host], appRoot: '/opt/candor' };
}

describe('scrubText with the machine context', () => {
  // Idempotence is not asserted here: a second pass rewrites `<home>/…/index.js`
  // (pending-privacy-leaks.test.ts).
  it('no planted secret survives in messages, stack traces and config values', () => {
    fc.assert(
      fc.property(
        identity.chain((id) => fc.tuple(fc.constant(id), plantedText(id, true, false))),
        ([id, sample]) => {
          count.add('texts');
          count.add('secrets', sample.planted.length);
          const out = scrubText(sample.text, contextFor(id));
          expect(survivors(out, sample.planted), out).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('each kind of secret alone, glued to punctuation a message puts around it', () => {
    const around = fc.constantFrom(
      ['', ''],
      ['(', ')'],
      ["'", "'"],
      ['"', '"'],
      ['[', ']'],
      ['', ','],
      ['', '.'],
      ['', ';'],
      [' ', '\n'],
      ['{"v":"', '"}'],
    );
    fc.assert(
      fc.property(
        identity.chain((id) => fc.tuple(fc.constant(id), anySecret(id), around)),
        ([id, p, [open, close]]) => {
          count.add('single');
          const out = scrubText(`${open}${p.text}${close}`, contextFor(id));
          expect(survivors(out, [p]), out).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('without any context, the shapes alone are enough for foreign names and addresses', () => {
    const empty: ScrubContext = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };
    fc.assert(
      fc.property(
        identity.chain((id) => plantedText(id, false, false)),
        (sample) => {
          count.add('no-context');
          const out = scrubText(sample.text, empty);
          expect(survivors(out, sample.planted), out).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
