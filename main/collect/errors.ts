import { log } from '../util/log.js';
import { ERROR_KINDS, ERROR_SOURCES, type ErrorKind, type ErrorSource, type RecordedError, type RecordedErrors } from './error-records.js';
import { loadPersisted, removePersisted, writePersistedSync } from './errors-persist.js';
import { fingerprint } from './stack-frames.js';

// Critical-error capture. Everything here is RAW (paths, hosts, user names included):
// what leaves is rebuilt from it by the payload's error rules (templates, known codes,
// safe frames). Memory is bounded: at most `capacity` distinct errors, each with
// truncated text.
//
// Errors are kept like crash reports until a report carrying them is queued: the
// persist file holds every occurrence not yet queued, so an error an app posted
// survives a normal exit, a kill and a restart, and is queued once.

export type { RecordedError, RecordedErrors } from './error-records.js';

export interface ErrorInput {
  source: ErrorSource;
  kind: ErrorKind;
  type: string;
  /** The error's `code` property, as text. */
  code?: string | null;
  message: string;
  stack?: string;
}

export interface ErrorCaptureOptions {
  /** Distinct errors kept (default 50); when full the least recently seen is evicted and counted in `dropped`. */
  capacity?: number;
  now?: () => Date;
  /** Crash file: written synchronously on an uncaught exception, read (and by default removed) at construction. */
  persistFile?: string;
  /**
   * Whether reading the crash file at construction also removes it (default true).
   * Only the process that reports errors (the agent) may consume it: a short-lived
   * passive reader (`candor status`, `candor report`) passes false, so it shows a
   * pending crash and leaves it for the agent to report.
   */
  consumePersisted?: boolean;
}

export const MAX_TYPE_CHARS = 200;
export const MAX_CODE_CHARS = 80;
export const MAX_MESSAGE_CHARS = 2_000;
export const MAX_STACK_CHARS = 16_000;
const TRUNCATED = '…[truncated]';

// Characters that end every pattern the scrubber looks for: white space, quotes,
// brackets, `|`, `,` and `;` (paths and URLs stop at them too). Not `.`, `:`, `/`, `-`,
// `@` or `=`, which occur inside addresses, host names, paths and tokens.
const TOKEN_END = /[\s"'`()<>[\]{}|,;]/;

/**
 * Cuts text to at most `max` characters. This runs at capture, before the scrubber:
 * a token cut in half (`bob.smith@e`, `db-7.pro`, `10.20`, part of a UUID) matches
 * no pattern and would leak partly. So the cut goes back to just after the last
 * character that ends a token, and the run that reaches the limit is dropped whole,
 * however long it is. The kept part ends with that character, so the scrubber sees
 * every kept token exactly as it appears in the full text.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - TRUNCATED.length);
  while (end > 0 && !TOKEN_END.test(text.charAt(end - 1))) end--;
  return text.slice(0, end) + TRUNCATED;
}

interface Entry extends Omit<RecordedError, 'first_seen' | 'last_seen'> {
  /** Occurrences already in a queued report. */
  queued: number;
  firstSeen: number;
  lastSeen: number;
}

/** An error's texts cut to what is kept. */
function clipped(e: {
  type: string;
  code: string | null;
  message: string;
  stack: string;
}): Pick<Entry, 'type' | 'code' | 'message' | 'stack'> {
  return {
    type: truncate(e.type, MAX_TYPE_CHARS),
    code: e.code === null ? null : truncate(e.code, MAX_CODE_CHARS),
    message: truncate(e.message, MAX_MESSAGE_CHARS),
    stack: truncate(e.stack, MAX_STACK_CHARS),
  };
}

/** Marks what one report carried as queued (see sectionForReport). */
export type MarkQueued = () => void;

const SOURCES: readonly string[] = ERROR_SOURCES;
const KINDS: readonly string[] = ERROR_KINDS;

export class ErrorCapture {
  private readonly capacity: number;
  private readonly now: () => Date;
  private readonly persistFile: string | undefined;
  /** Only the process that reports errors writes the persist file; a passive reader never does. */
  private readonly owner: boolean;
  /** Insertion order = least recently seen first (an update re-inserts). */
  private readonly entries = new Map<string, Entry>();
  private dropped = 0;
  private readonly installedOn = new Set<NodeJS.Process>();

  constructor(options: ErrorCaptureOptions = {}) {
    const capacity = options.capacity ?? 50;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`ErrorCapture capacity must be a positive integer, got ${String(capacity)}`);
    this.capacity = capacity;
    this.now = options.now ?? (() => new Date());
    this.persistFile = options.persistFile;
    this.owner = options.consumePersisted ?? true;
    if (this.persistFile !== undefined) {
      const previous = loadPersisted(this.persistFile, this.now(), { consume: this.owner });
      if (previous !== undefined) {
        this.restore(previous);
        // Read and removed: written back at once, so a kill before they are queued loses nothing.
        this.persistNow();
      }
    }
  }

  /** Records one error; the same fingerprint again bumps count and last_seen, and the latest text/kind/source win. */
  record(input: ErrorInput): void {
    if (!SOURCES.includes(input.source))
      throw new Error(`ErrorInput.source must be 'main', 'renderer' or 'app', got ${JSON.stringify(input.source)}`);
    if (!KINDS.includes(input.kind))
      throw new Error(`ErrorInput.kind must be uncaughtException, unhandledRejection or reported, got ${JSON.stringify(input.kind)}`);
    if (typeof input.type !== 'string') throw new Error(`ErrorInput.type must be a string, got ${typeof input.type}`);
    if (typeof input.message !== 'string') throw new Error(`ErrorInput.message must be a string, got ${typeof input.message}`);
    if (input.stack !== undefined && typeof input.stack !== 'string')
      throw new Error(`ErrorInput.stack must be a string when given, got ${typeof input.stack}`);
    if (input.code !== undefined && input.code !== null && typeof input.code !== 'string')
      throw new Error(`ErrorInput.code must be a string or null when given, got ${typeof input.code}`);
    const texts = clipped({ type: input.type, code: input.code ?? null, message: input.message, stack: input.stack ?? '' });
    const at = this.now().getTime();
    const key = fingerprint(texts.type, texts.stack, texts.message);
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      this.entries.delete(key);
      Object.assign(existing, texts, { source: input.source, kind: input.kind, count: existing.count + 1, lastSeen: at });
      this.entries.set(key, existing);
    } else {
      this.insert({ fingerprint: key, source: input.source, kind: input.kind, ...texts, count: 1, queued: 0, firstSeen: at, lastSeen: at });
    }
    // An uncaught error is written by the crash monitor; a reported one is written now.
    if (input.kind === 'reported') this.persistNow();
  }

  /** Records anything that was thrown: an Error, a string, an object, null. Never throws. */
  recordError(error: unknown, source: ErrorInput['source'], kind: ErrorInput['kind']): void {
    try {
      this.record({ source, kind, ...describeThrown(error) });
    } catch (failure) {
      log.error(`could not record a ${kind} error: ${String(failure)}`);
    }
  }

  /**
   * Watches `uncaughtExceptionMonitor`, which runs before Node's default handling
   * without replacing it: the process still crashes as it would have. The origin
   * tells a thrown exception from an unhandled rejection (Node >= 15 raises those as
   * uncaught). With persistFile set, the list is written synchronously right there.
   * Returns the uninstall function.
   */
  install(target: NodeJS.Process = process): () => void {
    if (this.installedOn.has(target))
      throw new Error('ErrorCapture is already installed on this process; call the uninstall function it returned first');
    const listener = (error: Error, origin: NodeJS.UncaughtExceptionOrigin): void => {
      this.recordError(error, 'main', origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException');
      this.persistNow();
    };
    target.on('uncaughtExceptionMonitor', listener);
    this.installedOn.add(target);
    return () => {
      target.off('uncaughtExceptionMonitor', listener);
      this.installedOn.delete(target);
    };
  }

  /** Raw section, most recently seen first. */
  section(): RecordedErrors {
    return { captured: [...this.entries.values()].map(record).reverse(), dropped: this.dropped };
  }

  /**
   * The section a report is built from, and the function to call once that report is
   * queued: the occurrences it carried are then off the persist file, so a restart does
   * not queue them again. Occurrences after this call stay pending.
   */
  sectionForReport(): { section: RecordedErrors; markQueued: MarkQueued } {
    const carried = new Map([...this.entries.values()].map((e) => [e.fingerprint, e.count]));
    const section = this.section();
    return {
      section,
      markQueued: () => {
        for (const [fingerprint, count] of carried) {
          const entry = this.entries.get(fingerprint);
          if (entry !== undefined) entry.queued = Math.max(entry.queued, count);
        }
        this.persistNow();
      },
    };
  }

  /** Writes what is not yet queued (or removes the file when nothing is): call at a normal exit. */
  flushPending(): void {
    this.persistNow();
  }

  private insert(entry: Entry): void {
    this.entries.set(entry.fingerprint, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.dropped++;
    }
  }

  private restore(previous: RecordedErrors): void {
    this.dropped += previous.dropped;
    // Oldest first, so the map order stays "least recently seen first".
    for (const c of [...previous.captured].reverse()) {
      this.entries.delete(c.fingerprint);
      this.insert({
        fingerprint: c.fingerprint,
        source: c.source,
        kind: c.kind,
        ...clipped(c),
        count: c.count,
        queued: 0,
        firstSeen: Date.parse(c.first_seen),
        lastSeen: Date.parse(c.last_seen),
      });
    }
  }

  /** Writes the occurrences not yet queued; none left: the file goes. */
  private persistNow(): void {
    if (this.persistFile === undefined || !this.owner) return;
    try {
      const pending = [...this.entries.values()]
        .filter((e) => e.count > e.queued)
        .map((e) => record({ ...e, count: e.count - e.queued }))
        .reverse();
      if (pending.length === 0 && this.dropped === 0) removePersisted(this.persistFile);
      else writePersistedSync(this.persistFile, { captured: pending, dropped: this.dropped });
    } catch (error) {
      // Never throw from a crash monitor: the original error must stay the one reported.
      log.error(`could not write error persist file ${this.persistFile}: ${String(error)}`);
    }
  }
}

function record(e: Entry): RecordedError {
  return {
    fingerprint: e.fingerprint,
    source: e.source,
    kind: e.kind,
    type: e.type,
    code: e.code,
    message: e.message,
    stack: e.stack,
    count: e.count,
    first_seen: new Date(e.firstSeen).toISOString(),
    last_seen: new Date(e.lastSeen).toISOString(),
  };
}

interface Described {
  type: string;
  code?: string | null;
  message: string;
  stack?: string;
}

/** An error's `code` property when it is text or a number (ENOENT, 'ERR_X', 404), else null. */
function codeOf(value: unknown): string | null {
  const code = (value as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  if (typeof code === 'number' && Number.isInteger(code)) return String(code);
  return null;
}

/** Type, message and stack of any thrown value. Getters and proxies may throw: contained here. */
export function describeThrown(value: unknown): Described {
  try {
    if (value instanceof Error)
      return { type: errorType(value), code: codeOf(value), message: String(value.message), stack: stringOr(value.stack) };
    if (value === null) return { type: 'null', message: 'null' };
    switch (typeof value) {
      case 'string':
        return { type: 'string', message: value };
      case 'symbol':
        return { type: 'symbol', message: value.toString() };
      case 'function':
        return { type: 'function', message: `[function ${value.name || 'anonymous'}]` };
      case 'object': {
        // An Error from another realm (vm, a renderer) or an error-shaped plain object.
        const o = value as Record<string, unknown>;
        const ctor = constructorName(value) ?? 'Object';
        if (typeof o['message'] === 'string') {
          return {
            type: typeof o['name'] === 'string' && o['name'] !== '' ? o['name'] : ctor,
            message: o['message'],
            stack: stringOr(o['stack']),
          };
        }
        return { type: ctor, message: jsonOrTag(value) };
      }
      default:
        return { type: typeof value, message: String(value) };
    }
  } catch {
    return { type: 'unknown', message: '[a thrown value that could not be read]' };
  }
}

function errorType(error: Error): string {
  // `class Oops extends Error {}` keeps name 'Error'; its constructor names it better.
  if (error.name !== 'Error' && typeof error.name === 'string' && error.name !== '') return error.name;
  return constructorName(error) ?? 'Error';
}

function constructorName(value: object): string | undefined {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function' || ctor.name === '') return undefined;
  return ctor.name;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function jsonOrTag(value: object): string {
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return truncate(json, MAX_MESSAGE_CHARS);
  } catch {
    // circular or a throwing toJSON: fall through to the tag
  }
  return Object.prototype.toString.call(value);
}
