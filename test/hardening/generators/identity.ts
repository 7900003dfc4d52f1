import fc from 'fast-check';

// Who the planted secrets belong to: a user name, this machine's host name and home
// directory. Names are made of syllables so they are distinctive (a check that a
// secret "does not appear" must not trip over an English word of the surrounding
// template), and never a service account, which the scrubber leaves alone on purpose.

const SYLLABLES = ['zel', 'mar', 'quo', 'vik', 'ynn', 'dra', 'kesh', 'tov', 'bri', 'olm', 'jax', 'fen', 'ruo', 'wyl', 'psa', 'thi'];

/** A distinctive lower-case word of 2 to 3 syllables (6 to 12 letters). */
export const word = fc.array(fc.constantFrom(...SYLLABLES), { minLength: 2, maxLength: 3 }).map((parts) => parts.join(''));

/** A user name as people pick them: marcus, j.doe, ana-maria, zoe42. */
export const userName = fc.oneof(
  word,
  fc.tuple(word, word).map(([a, b]) => `${a}.${b}`),
  fc.tuple(word, word).map(([a, b]) => `${a}-${b}`),
  fc.tuple(word, fc.integer({ min: 1, max: 99 })).map(([a, n]) => `${a}${n}`),
);

export interface Identity {
  user: string;
  /** This machine's host name as the OS reports it. */
  host: string;
  /** Linux, macOS or Windows home directory of `user`. */
  home: string;
  os: 'linux' | 'mac' | 'windows';
}

const hostFor = (user: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(`${user}-laptop`),
    fc.constant(`${user}s-MacBook-Pro.local`),
    fc.stringMatching(/^[A-Z0-9]{7}$/).map((s) => `DESKTOP-${s}`),
    word.map((w) => `${w}-ws`),
  );

export const identity: fc.Arbitrary<Identity> = fc
  .tuple(userName, fc.constantFrom<Identity['os']>('linux', 'mac', 'windows'))
  .chain(([user, os]) =>
    hostFor(user).map((host) => ({
      user,
      host,
      os,
      home: os === 'linux' ? `/home/${user}` : os === 'mac' ? `/Users/${user}` : `C:\\Users\\${user}`,
    })),
  );

/**
 * Host names found in text that the scrubber can know by shape (a strong TLD, or a
 * weak one with a digit or hyphen in a label). Bare names under weak TLDs such as
 * nas.home.lan are a documented miss unless they are this machine's, so not generated.
 */
export const foreignHost = fc.oneof(
  fc.tuple(word, word).map(([a, b]) => `${a}.${b}.com`),
  fc.tuple(word, word).map(([a, b]) => `api.${a}-${b}.io`),
  fc.tuple(word, fc.integer({ min: 1, max: 99 })).map(([a, n]) => `db-${n}.${a}.internal`),
  fc.tuple(word, word).map(([a, b]) => `${a}.${b}.co.uk`),
  fc.tuple(word, word).map(([a, b]) => `mail.${a}.${b}.de`),
  fc.tuple(word, fc.integer({ min: 1, max: 9 })).map(([a, n]) => `build${n}.${a}.corp`),
);
