import {
  allLocales,
  fakerDE,
  fakerEN,
  fakerEN_NG,
  fakerES,
  fakerFR,
  fakerIT,
  fakerNL,
  fakerPL,
  fakerPT_BR,
  fakerSV,
  fakerTR,
  fakerVI,
  type Faker,
} from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { errorTemplate } from '../../main/anonymize/error-template.js';
import { ERRNO_CODES, NODE_CODES } from '../../main/anonymize/vocabulary/codes.js';
import { CASED_WORDS, NAME_WORDS, NAME_WORDS_AT_START, WORDS } from '../../main/anonymize/vocabulary/words.js';

// The vocabulary is words of error messages, not a dictionary, and person names do not
// pass through it: a word that is also a name (faker's lists, every locale) survives only
// in lower case, or capitalised as the first word of a line when a source starts a
// message with it. Proven here over thousands of generated names in prose.

const SEED = 4217;
const words = (s: string): string[] => s.split(/\s+/).filter((w) => w !== '');

/** Lower-case ASCII parts of every person name in faker, all locales (as the generator reads them). */
function fakerNameParts(): Set<string> {
  const names = new Set<string>();
  const add = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value)
        if (typeof v === 'string') for (const w of v.split(/[\s'’-]+/)) if (/^[A-Za-z]+$/.test(w)) names.add(w.toLowerCase());
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) add(v);
  };
  for (const locale of Object.values(allLocales)) {
    const person = (locale as { person?: Record<string, unknown> }).person;
    if (!person) continue;
    add(person['first_name']);
    add(person['last_name']);
    add(person['middle_name']);
  }
  return names;
}

describe('the generated vocabulary', () => {
  const vocabulary = words(WORDS);
  const names = words(NAME_WORDS);

  it('is sorted, unique, lower case words of a few thousand', () => {
    expect(vocabulary.length).toBeGreaterThan(2500);
    expect([...vocabulary].sort()).toEqual(vocabulary);
    expect(new Set(vocabulary).size).toBe(vocabulary.length);
    for (const w of vocabulary) expect(w).toMatch(/^[a-z][a-z0-9']*$/);
  });

  it('is not a dictionary: common first and last names are not in it', () => {
    const set = new Set(vocabulary);
    for (const name of ['smith', 'jones', 'bob', 'alice', 'mueller', 'müller', 'garcia', 'johnson', 'maria', 'mohammed'])
      expect(set.has(name), name).toBe(false);
  });

  it('marks exactly the words that are also faker person names (the rule holds for the committed data)', () => {
    const fakerNames = fakerNameParts();
    const inVocabulary = vocabulary.filter((w) => fakerNames.has(w));
    expect(names).toEqual(inVocabulary);
    for (const w of words(NAME_WORDS_AT_START)) expect(names).toContain(w);
    for (const w of words(CASED_WORDS)) expect(fakerNames.has(w.toLowerCase()), w).toBe(false);
  });

  it('holds the codes: errno names and Node ERR_* codes', () => {
    expect(words(ERRNO_CODES)).toEqual(
      expect.arrayContaining(['ENOENT', 'EACCES', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']),
    );
    expect(words(NODE_CODES)).toEqual(expect.arrayContaining(['ERR_INVALID_ARG_TYPE', 'ERR_MODULE_NOT_FOUND', 'ERR_HTTP_HEADERS_SENT']));
  });
});

// Prose around a name, as error messages and log lines put it.
const PROSE: ((name: string) => string)[] = [
  (n) => `invoice for ${n} could not be sent`,
  (n) => `failed to notify ${n}: connection refused`,
  (n) => `user ${n} not found`,
  (n) => `Cannot read properties of undefined (reading '${n}')`,
  (n) => `owner=${n}`,
  (n) => `assigned to: ${n}, retrying`,
  (n) => `"${n}" is not a valid value`,
  (n) => `report by ${n}. Retry later`,
  (n) => `from ${n} <${n.toLowerCase().replace(/\s+/g, '.')}@example.com>`,
];

const LOCALES: Faker[] = [fakerEN, fakerDE, fakerFR, fakerES, fakerIT, fakerNL, fakerPL, fakerPT_BR, fakerSV, fakerTR, fakerVI, fakerEN_NG];

/** The capitalised parts of a name (particles like "van" or "de" are lower case and common words). */
function capitalisedParts(name: string): string[] {
  return name.split(/[\s'’.-]+/).filter((p) => /^[\p{Lu}]/u.test(p));
}

function containsWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'u').test(text);
}

describe('person names never survive', () => {
  it(`in prose: thousands of faker names from ${LOCALES.length} locales (seed ${SEED})`, () => {
    console.info(`error-vocabulary names seed: ${SEED}`);
    let checked = 0;
    for (const [k, faker] of LOCALES.entries()) {
      faker.seed(SEED + k);
      for (let i = 0; i < 300; i++) {
        const name =
          i % 3 === 0
            ? faker.person.fullName()
            : i % 3 === 1
              ? `${faker.person.firstName()} ${faker.person.lastName()}`
              : faker.person.lastName();
        for (const prose of PROSE) {
          const out = errorTemplate(prose(name));
          for (const part of capitalisedParts(name)) {
            checked++;
            expect(containsWord(out, part), JSON.stringify({ name, out, part })).toBe(false);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(30_000);
  });

  it('at the start of a line: a full name never survives; one name-word alone only when a source starts a message with it', () => {
    const allowedAtStart = new Set(words(NAME_WORDS_AT_START));
    for (const [k, faker] of LOCALES.entries()) {
      faker.seed(SEED + 100 + k);
      for (let i = 0; i < 300; i++) {
        const first = faker.person.firstName();
        const last = faker.person.lastName();
        const out = errorTemplate(`${first} ${last} could not be reached\n${last} failed`);
        const [line1 = '', line2 = ''] = out.split('\n');
        for (const part of [...capitalisedParts(first), ...capitalisedParts(last)])
          expect(containsWord(line1, part), JSON.stringify({ first, last, out })).toBe(false);
        if (line2.startsWith(last)) expect(allowedAtStart.has(last.toLowerCase()), last).toBe(true);
      }
    }
  });

  it('in upper case too, unless it is a code', () => {
    for (const name of ['WILL SMITH', 'MARK', 'MAY', 'PAGE']) {
      const out = errorTemplate(`reported by ${name}`);
      for (const part of name.split(' ')) expect(containsWord(out, part), out).toBe(false);
    }
  });
});
