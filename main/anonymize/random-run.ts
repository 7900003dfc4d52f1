// Telling a random base64/base64url run (an API key, a session token) from a long
// identifier (someVeryLongFunctionName, ERR_INVALID_ARG_TYPE) in free text.
//
// Two digits or more in a run that mixes cases is taken as random: identifiers rarely
// carry more than one. About 1.6% of random tokens have fewer digits, so those are
// judged by how their letters look. Names are made of words (camelCase, acronyms,
// separators), so their "words" are long (median 6 letters), a small share of their
// letters is upper case, consonant runs of three are rare and case changes happen
// once or twice per word. Random letters split into words of about 2.3 letters, half
// upper case, with frequent consonant triples and case changes. The weights below
// are a fit over 5,700 long mixed-case identifiers from TypeScript declarations (3
// misjudged, all with many one- or two-letter words) and 50,000 random tokens with
// fewer than two digits (about 1 in 1,000 missed).

const VOWELS = 'aeiouyAEIOUY';

type CharClass = 'upper' | 'lower' | 'digit' | 'other';

function classOf(ch: string): CharClass {
  if (ch >= 'A' && ch <= 'Z') return 'upper';
  if (ch >= 'a' && ch <= 'z') return 'lower';
  if (ch >= '0' && ch <= '9') return 'digit';
  return 'other';
}

interface RunStats {
  upper: number;
  lower: number;
  digit: number;
  /** camelCase words: a letter after a non-letter, aB, and the last upper of ABc. */
  words: number;
  /** Neighbouring letters of different case. */
  switches: number;
  /** Three letters in a row (no digit or separator between) and how many are all consonants. */
  triples: number;
  consonantTriples: number;
}

function runStats(run: string): RunStats {
  const s: RunStats = { upper: 0, lower: 0, digit: 0, words: 0, switches: 0, triples: 0, consonantTriples: 0 };
  let prev: CharClass = 'other';
  let consonants = 0; // consonants in a row among the letters just seen
  let lettersInRow = 0;
  for (let i = 0; i < run.length; i++) {
    const ch = run.charAt(i);
    const cls = classOf(ch);
    if (cls !== 'other') s[cls]++;
    if (cls !== 'upper' && cls !== 'lower') {
      prev = cls;
      consonants = 0;
      lettersInRow = 0;
      continue;
    }
    const prevIsLetter = prev === 'upper' || prev === 'lower';
    if (!prevIsLetter) s.words++;
    else if (prev === 'lower' && cls === 'upper') s.words++;
    else if (prev === 'upper' && cls === 'upper' && classOf(run.charAt(i + 1)) === 'lower') s.words++;
    if (prevIsLetter && prev !== cls) s.switches++;
    consonants = VOWELS.includes(ch) ? 0 : consonants + 1;
    lettersInRow++;
    if (lettersInRow >= 3) {
      s.triples++;
      if (consonants >= 3) s.consonantTriples++;
    }
    prev = cls;
  }
  return s;
}

/** True when a base64-alphabet run reads as random bytes rather than as a name. */
export function looksRandom(run: string): boolean {
  const s = runStats(run);
  if (s.upper < 2 || s.lower < 2) return false;
  if (s.digit >= 2) return true;
  const letters = s.upper + s.lower;
  const wordLength = letters / Math.max(s.words, 1);
  const upperShare = s.upper / letters;
  const clusterShare = s.consonantTriples / Math.max(s.triples, 1);
  const switchShare = s.switches / Math.max(letters - 1, 1);
  return wordLength < 2.6 + 2 * upperShare + 2 * clusterShare + switchShare;
}
