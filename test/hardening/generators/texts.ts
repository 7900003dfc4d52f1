import fc from 'fast-check';
import type { Identity } from './identity.js';
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

/** A V8 stack trace: "Error: message" then "    at fn (location)" lines. */
const stack = (id: Identity, machine: boolean): fc.Arbitrary<PlantedText> =>
  fc
    .tuple(
      fc.constantFrom('Error', 'TypeError', 'SystemError'),
      message(id, machine),
      fc.array(fc.tuple(fc.constantFrom(...FUNCTIONS), anySecret(id, machine), fc.boolean()), { minLength: 1, maxLength: 6 }),
    )
    .map(([type, msg, frames]) => ({
      text: [`${type}: ${msg.text}`, ...frames.map(([fn, p, named]) => (named ? `    at ${fn} (${p.text})` : `    at ${p.text}`))].join(
        '\n',
      ),
      planted: [...msg.planted, ...frames.map(([, p]) => p)],
    }));

/** A config value as it is echoed in a message: `endpoint: "<value>"`. */
const configValue = (id: Identity, machine: boolean): fc.Arbitrary<PlantedText> =>
  fc.tuple(fc.constantFrom('endpoint', 'privacy_contact', 'data_dir', 'proxy', 'log.file'), anySecret(id, machine)).map(([key, p]) => ({
    text: `invalid configuration: config/local.yaml:3: ${key}: "${p.text}" is not allowed`,
    planted: [p],
  }));

/** `machine: false`: no bare host or user names of this machine (for a scrubber without context). */
export const plantedText = (id: Identity, machine = true): fc.Arbitrary<PlantedText> =>
  fc.oneof(message(id, machine), stack(id, machine), configValue(id, machine));

/** The secrets of `planted` that `out` still contains (case-insensitive). */
export function survivors(out: string, planted: Planted[]): string[] {
  const lower = out.toLowerCase();
  return planted.flatMap((p) => p.secrets.filter((s) => lower.includes(s.toLowerCase())).map((s) => `${p.kind}: ${s}`));
}
