import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubText, type ScrubContext } from '../../main/anonymize/text.js';

// Properties over generated text: planted identifiers, separated from the noise by
// white space, never survive, and scrubbing twice changes nothing more.

const ctx: ScrubContext = { homeDirs: ['/home/bob'], userNames: ['bob'], hostNames: ['bob-laptop'], appRoot: '/opt/candor' };

const planted = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 1, max: 254 }),
    )
    .map((p) => ({ text: p.join('.'), secret: p.join('.') })),
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
    .map((g) => ({ text: g.map((n) => n.toString(16)).join(':'), secret: g.map((n) => n.toString(16)).join(':') })),
  fc.stringMatching(/^[a-z]{3,8}$/).map((n) => ({ text: `/home/x${n}/secret-${n}.txt`, secret: `x${n}` })),
  fc.stringMatching(/^[a-z]{3,8}$/).map((n) => ({ text: `C:\\Users\\x${n}\\notes.docx`, secret: `x${n}` })),
  fc.stringMatching(/^[a-z]{2,8}$/).map((n) => ({ text: `x${n}@mail.example.com`, secret: `x${n}@` })),
  fc.stringMatching(/^[a-z]{2,8}$/).map((n) => ({ text: `https://u:p${n}@h.example.com/?token=${n}`, secret: `p${n}` })),
  fc.uuid().map((u) => ({ text: u, secret: u })),
  fc.constantFrom({ text: 'bob', secret: 'bob' }, { text: 'BOB-LAPTOP', secret: 'LAPTOP' }, { text: '00:1a:2b:3c:4d:5e', secret: '4d:5e' }),
);
const noise = fc.stringMatching(/^[A-Za-z0-9 .,:;()'"=-]{0,20}$/);

describe('scrubText properties', () => {
  it('planted identifiers never survive, and a second pass changes nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, planted), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([n, p]) => `${n} ${p.text} `).join('\n');
        const out = scrubText(text, ctx);
        for (const [, p] of parts) expect(out.toLowerCase()).not.toContain(p.secret.toLowerCase());
        expect(scrubText(out, ctx)).toBe(out);
      }),
      { numRuns: 400 },
    );
  });

  it('on any text, leaves no placeholder behind and keeps text without identifiers as it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => {
        const out = scrubText(text, ctx);
        expect(out).not.toMatch(/[\uE000-\uE01F]/);
        if (!/[\uE000-\uE01F]/.test(text) && !/[/\\@:.]|bob|[0-9a-f]{16}|[A-Za-z0-9+_-]{24}/i.test(text)) expect(out).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
