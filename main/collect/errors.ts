import type { CapturedError, ErrorsSection } from '../report/payload-schema.js';
import { log } from '../util/log.js';
import { loadPersisted, writePersistedSync } from './errors-persist.js';
import { fingerprint } from './stack-frames.js';

// Critical-error capture. Everything here is RAW (paths, hosts, user names included):
// the anonymizer scrubs it before anything is shown as "would be sent" or sent.
// Memory is bounded: at most `capacity` distinct errors, each with truncated text.

export interface ErrorInput {
  source: 'main' | 'renderer';
  kind: 'uncaughtException' | 'unhandledRejection' | 'reported';
  type: string;
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

interface Entry {
  fingerprint: string;
  source: ErrorInput['source'];
  kind: ErrorInput['kind'];
  type: string;
  message: string;
  stack: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
}

const SOURCES: readonly string[] = ['main', 'renderer'];
const KINDS: readonly string[] = ['uncaughtException', 'unhandledRejection', 'reported'];

export class ErrorCapture {
  private readonly capacity: number;
  private readonly now: () => Date;
  private readonly persistFile: string | undefined;
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
    if (this.persistFile !== undefined) {
      const previous = loadPersisted(this.persistFile, this.now(), { consume: options.consumePersisted ?? true });
      if (previous !== undefined) this.restore(previous);
    }
  }

  /** Records one error; the same fingerprint again bumps count and last_seen, and the latest text/kind/source win. */
  record(input: ErrorInput): void {
    if (!SOURCES.includes(input.source))
      throw new Error(`ErrorInput.source must be 'main' or 'renderer', got ${JSON.stringify(input.source)}`);
    if (!KINDS.includes(input.kind))
      throw new Error(`ErrorInput.kind must be uncaughtException, unhandledRejection or reported, got ${JSON.stringify(input.kind)}`);
    if (typeof input.type !== 'string') throw new Error(`ErrorInput.type must be a string, got ${typeof input.type}`);
    if (typeof input.message !== 'string') throw new Error(`ErrorInput.message must be a string, got ${typeof input.message}`);
    if (input.stack !== undefined && typeof input.stack !== 'string')
      throw new Error(`ErrorInput.stack must be a string when given, got ${typeof input.stack}`);
    const type = truncate(input.type, MAX_TYPE_CHARS);
    const message = truncate(input.message, MAX_MESSAGE_CHARS);
    const stack = truncate(input.stack ?? '', MAX_STACK_CHARS);
    const at = this.now().getTime();
    const key = fingerprint(type, stack, message);
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      this.entries.delete(key);
      Object.assign(existing, { source: input.source, kind: input.kind, type, message, stack, count: existing.count + 1, lastSeen: at });
      this.entries.set(key, existing);
      return;
    }
    this.insert({ fingerprint: key, source: input.source, kind: input.kind, type, message, stack, count: 1, firstSeen: at, lastSeen: at });
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
  section(): ErrorsSection {
    const captured: CapturedError[] = [];
    for (const e of this.entries.values()) {
      captured.push({
        fingerprint: e.fingerprint,
        source: e.source,
        kind: e.kind,
        type: e.type,
        message: e.message,
        stack: e.stack,
        count: e.count,
        first_seen: new Date(e.firstSeen).toISOString(),
        last_seen: new Date(e.lastSeen).toISOString(),
      });
    }
    return { captured: captured.reverse(), dropped: this.dropped };
  }

  private insert(entry: Entry): void {
    this.entries.set(entry.fingerprint, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.dropped++;
    }
  }

  private restore(previous: ErrorsSection): void {
    this.dropped += previous.dropped;
    // Oldest first, so the map order stays "least recently seen first".
    for (const c of [...previous.captured].reverse()) {
      this.entries.delete(c.fingerprint);
      this.insert({
        fingerprint: c.fingerprint,
        source: c.source,
        kind: c.kind,
        type: truncate(c.type, MAX_TYPE_CHARS),
        message: truncate(c.message, MAX_MESSAGE_CHARS),
        stack: truncate(c.stack, MAX_STACK_CHARS),
        count: c.count,
        firstSeen: Date.parse(c.first_seen),
        lastSeen: Date.parse(c.last_seen),
      });
    }
  }

  private persistNow(): void {
    if (this.persistFile === undefined) return;
    try {
      writePersistedSync(this.persistFile, this.section());
    } catch (error) {
      // Never throw from a crash monitor: the original error must stay the one reported.
      log.error(`could not write error persist file ${this.persistFile}: ${String(error)}`);
    }
  }
}

interface Described {
  type: string;
  message: string;
  stack?: string;
}

/** Type, message and stack of any thrown value. Getters and proxies may throw: contained here. */
export function describeThrown(value: unknown): Described {
  try {
    if (value instanceof Error) return { type: errorType(value), message: String(value.message), stack: stringOr(value.stack) };
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
