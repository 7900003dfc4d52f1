import fc from 'fast-check';
import { word, type Identity } from './identity.js';
import { anySecret, type Planted } from './planted.js';

// Error messages, stack traces and config values with planted secrets, shaped like
// what Node, browsers and apps really print. The separators around a secret are the
// ones such text uses (spaces, quotes, brackets, commas, newlines, `=`, and a colon
// after the secret, once known misses, now fixed: see privacy-leaks.test.ts).

export interface PlantedText {
  text: string;
  planted: Planted[];
}

const MESSAGE_TEMPLATES: ((s: string) => string)[] = [
  (s) => `ENOENT: no such file or directory, open '${s}'`,
  (s) => `EACCES: permission denied, mkdir "${s}"`,
  (s) => `connect ECONNREFUSED ${s}`,
  (s) => `request to ${s} failed, reason: socket hang up`,
  (s) => `Failed to load config from ${s} (unexpected token)`,
  (s) => `Cannot find module '${s}'`,
  (s) => `user ${s} is not allowed (code 403)`,
  (s) => `lookup failed for ${s}, retrying`,
  (s) => `value (${s}) is invalid`,
  (s) => `[${s}] timed out after 30000 ms`,
  (s) => `expected a string, got ${s};`,
  (s) => `\t${s}\n`,
  (s) => `--data-dir=${s} is not writable`,
  (s) => `HOME=${s}`,
  (s) => `${s}: connection refused`,
  (s) => s,
];

const message = (id: Identity, machine: boolean): fc.Arbitrary<PlantedText> =>
  fc.array(fc.tuple(fc.constantFrom(...MESSAGE_TEMPLATES), anySecret(id, machine)), { minLength: 1, maxLength: 3 }).map((parts) => ({
    text: parts.map(([template, p]) => template(p.text)).join(' | '),
    planted: parts.map(([, p]) => p),
  }));

const FUNCTIONS = ['Object.<anonymous>', 'Module._compile', 'async Promise.all', 'readConfig', 'Socket.emit', 'new Client'];

const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
const OWNED_SHAPES: ((w: string) => string)[] = [
  (w) => `${cap(w)}Billing.run`,
  (w) => `handle${cap(w)}Invoice`,
  (w) => `new Client_${w}`,
  (w) => `async ${w}Sync`,
  (w) => `Object.${w}`,
];

/** A function named after its owner (a person, an organisation), as code outside the app names them. */
const ownedFunction: fc.Arbitrary<{ fn: string; planted: Planted[] }> = fc
  .tuple(fc.constantFrom(...OWNED_SHAPES), word)
  .map(([shape, w]) => ({ fn: shape(w), planted: [{ kind: 'function-name', text: shape(w), secrets: [w] }] }));

const knownFunction = fc.constantFrom(...FUNCTIONS).map((fn) => ({ fn, planted: [] as Planted[] }));

/** A V8 stack trace: "Error: message" then "    at fn (location)" lines; every location is outside the app. */
const stack = (id: Identity, machine: boolean, owned: boolean): fc.Arbitrary<PlantedText> =>
  fc
    .tuple(
      fc.constantFrom('Error', 'TypeError', 'SystemError'),
      message(id, machine),
      fc.array(fc.tuple(owned ? fc.oneof(knownFunction, ownedFunction) : knownFunction, anySecret(id, machine), fc.boolean()), {
        minLength: 1,
        maxLength: 6,
      }),
    )
    .map(([type, msg, frames]) => ({
      text: [`${type}: ${msg.text}`, ...frames.map(([f, p, named]) => (named ? `    at ${f.fn} (${p.text})` : `    at ${p.text}`))].join(
        '\n',
      ),
      planted: [...msg.planted, ...frames.flatMap(([f, p, named]) => (named ? [...f.planted, p] : [p]))],
    }));

/** A config value as it is echoed in a message: `endpoint: "<value>"`. */
const configValue = (id: Identity, machine: boolean): fc.Arbitrary<PlantedText> =>
  fc.tuple(fc.constantFrom('endpoint', 'privacy_contact', 'data_dir', 'proxy', 'log.file'), anySecret(id, machine)).map(([key, p]) => ({
    text: `invalid configuration: config/local.yaml:3: ${key}: "${p.text}" is not allowed`,
    planted: [p],
  }));

/**
 * `machine: false`: no bare host or user names of this machine (for a scrubber without context).
 * `owned: false`: no function names made of a person's or organisation's name (the free-text
 * scrubber, a second line, leaves identifiers alone; the frame rules judge them).
 */
export const plantedText = (id: Identity, machine = true, owned = true): fc.Arbitrary<PlantedText> =>
  fc.oneof(message(id, machine), stack(id, machine, owned), configValue(id, machine));

/** The secrets of `planted` that `out` still contains (case-insensitive). */
export function survivors(out: string, planted: Planted[]): string[] {
  const lower = out.toLowerCase();
  return planted.flatMap((p) => p.secrets.filter((s) => lower.includes(s.toLowerCase())).map((s) => `${p.kind}: ${s}`));
}
