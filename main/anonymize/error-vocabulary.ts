import { ERRNO_CODES, HTTP_STATUSES, LIBRARY_CODES, NODE_CODES, SQLITE_CODES, SQLSTATE_CODES } from './vocabulary/codes.js';
import { PLACEHOLDER_NAMES } from './error-placeholders.js';
import { ERROR_TYPES } from './vocabulary/error-types.js';
import { CASED_WORDS, NAME_WORDS, NAME_WORDS_AT_START, WORDS } from './vocabulary/words.js';

// The allow-list behind error templates: the words of error messages of Node, V8,
// libuv, Electron and widely used libraries (generated into vocabulary/ by
// scripts/gen-vocabulary.mjs), the words an app declares, and known error codes.
// The sets are built on first use and kept; a lookup is one Set.has per word.
//
// The rule for a single word (a run of ASCII letters, digits, `_`, `$`, `'`):
//   - a known code (ENOENT, ERR_INVALID_ARG_TYPE, SQLITE_BUSY, UND_ERR_SOCKET) survives as written;
//   - a vocabulary word survives in lower case; with capitals only as the sources write
//     it inside a sentence (CASED_WORDS: JSON, BigInt, Buffer) or as the first word of a
//     sentence. So "reported by Page" loses "Page", a proper noun the sources never use;
//   - a word that is also a person name (NAME_WORDS, from faker's name lists of every
//     locale) survives only all in lower case, or capitalised as the first word of a
//     line when a source starts a message with it and a lower-case word follows
//     ("Promise resolver ... is not a function"): "Will Smith" in prose does not;
//   - an identifier made of two or more parts (camelCase, PascalCase, snake_case, a
//     dotted property path) survives when every part is a vocabulary word (digits count
//     with the letters before them: Int32, utf8). Its parts are capitalised by
//     convention, so the person-name rule does not apply to them;
//   - a word the app declares survives in any case; a denied word (this machine's user
//     or host name) never does.

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const vocabulary = lazy(() => new Set(words(WORDS)));
const nameWords = lazy(() => new Set(words(NAME_WORDS)));
const nameWordsAtStart = lazy(() => new Set(words(NAME_WORDS_AT_START)));
const casedWords = lazy(() => new Set(words(CASED_WORDS)));
const knownCodes = lazy(() => new Set([...words(ERRNO_CODES), ...words(NODE_CODES), ...words(LIBRARY_CODES), ...words(SQLITE_CODES)]));
const sqlstates = lazy(() => new Set(words(SQLSTATE_CODES)));
export const errorTypes = lazy(() => new Set(words(ERROR_TYPES)));

/** HTTP status code -> reason phrase. */
export const httpStatuses = lazy(() => {
  const map = new Map<number, string>();
  for (const line of HTTP_STATUSES.split('\n')) {
    const m = /^(\d{3}) (.+)$/.exec(line.trim());
    if (m) map.set(Number(m[1]), m[2] as string);
  }
  return map;
});

export function isKnownCode(token: string): boolean {
  return knownCodes().has(token);
}

export function isSqlstate(token: string): boolean {
  return sqlstates().has(token);
}

/** What an app may add to the allow-list, and what this machine adds to the deny-list. */
export interface TemplateContext {
  /**
   * Message templates and words the app declares (for its own error messages). Their
   * words are allowed in any case. Placeholders in templates (`{name}`, `%s`, `${x}`,
   * `<x>`) are not words.
   */
  declared?: { templates?: readonly string[]; words?: readonly string[] };
  /** Words that identify this machine or its user (user and host names): never kept, even when they are vocabulary words. */
  denied?: readonly string[];
}

export interface WordRules {
  declared: ReadonlySet<string>;
  denied: ReadonlySet<string>;
}

const NO_RULES: WordRules = { declared: new Set(), denied: new Set() };
const compiled = new WeakMap<TemplateContext, WordRules>();

const TEMPLATE_SLOT = /\{[^{}]*\}|\$\{[^{}]*\}|%[sdifjoOc%]|<[^<>]*>/g;
const DECLARED_WORD = /[A-Za-z][A-Za-z0-9]*/g;

/** The rules of a context, compiled once per context object. */
export function wordRules(ctx: TemplateContext | undefined): WordRules {
  if (ctx === undefined || (ctx.declared === undefined && ctx.denied === undefined)) return NO_RULES;
  const cached = compiled.get(ctx);
  if (cached) return cached;
  const declared = new Set<string>();
  const add = (text: string): void => {
    for (const m of text.replace(TEMPLATE_SLOT, ' ').matchAll(DECLARED_WORD)) {
      declared.add(m[0].toLowerCase());
      for (const part of identifierParts(m[0])) if (/^[a-z]/i.test(part)) declared.add(part.toLowerCase());
    }
  };
  for (const t of ctx.declared?.templates ?? []) if (typeof t === 'string') add(t);
  for (const w of ctx.declared?.words ?? []) if (typeof w === 'string') add(w);
  const denied = new Set<string>();
  for (const d of ctx.denied ?? []) if (typeof d === 'string' && d.trim() !== '') denied.add(d.trim().toLowerCase());
  const rules = { declared, denied };
  compiled.set(ctx, rules);
  return rules;
}

/**
 * camelCase, PascalCase and ACRONYMWord parts of an identifier (split at `_` and `$`
 * first). Digits stay with the letters before them (`Int32`, `utf8`): a part with digits
 * must be a vocabulary word as a whole, so `user42` or `100ms` are not made of parts.
 */
export function identifierParts(run: string): string[] {
  return run.match(/[A-Z]+(?![a-z])\d*|[A-Z]?[a-z]+\d*|\d+/g) ?? [];
}

const MAX_RUN = 64;
const APOSTROPHE_SUFFIXES = new Set(['s', 't', 're', 've', 'll', 'd', 'm']);

function isCapitalised(run: string): boolean {
  return /^[A-Z][a-z0-9]*$/.test(run);
}

/** Where a word stands: first on its line, first in its sentence. */
export interface Position {
  lineStart: boolean;
  sentenceStart: boolean;
}

/** Neither first on its line nor in its sentence: the strictest place for a word. */
export const MID: Position = { lineStart: false, sentenceStart: false };

/**
 * Follows the text as it is written out, so the templater and isSafeTemplate agree on
 * where each word stands. A sentence starts at a line start, after `.`, `!` or `?`
 * followed by white space, and after a colon that follows the line's first word: the
 * message after a prefix (`Error: Cannot find module`, `ENOENT: no such file`). A word
 * there is judged as at any sentence start: person-name words still need a line start.
 */
export class Cursor {
  lineStart = true;
  sentenceStart = true;
  private afterStop = false;
  private wordsOnLine = 0;
  /** Inside a run of word characters written as text (a word is counted at its first). */
  private inWord = false;

  clone(): Cursor {
    const c = new Cursor();
    c.lineStart = this.lineStart;
    c.sentenceStart = this.sentenceStart;
    c.afterStop = this.afterStop;
    c.wordsOnLine = this.wordsOnLine;
    c.inWord = this.inWord;
    return c;
  }

  position(): Position {
    return { lineStart: this.lineStart, sentenceStart: this.sentenceStart };
  }

  /** A word or placeholder was written. */
  word(): void {
    this.lineStart = false;
    this.sentenceStart = false;
    this.afterStop = false;
    this.wordsOnLine++;
    this.inWord = false;
  }

  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.char(s.charCodeAt(i));
  }

  private char(c: number): void {
    const wordChar = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (wordChar) {
      if (!this.inWord) this.word();
      this.inWord = true;
      return;
    }
    this.inWord = false;
    if (c === 10) {
      this.lineStart = true;
      this.sentenceStart = true;
      this.afterStop = false;
      this.wordsOnLine = 0;
    } else if (c === 32 || c === 9) {
      if (this.afterStop) this.sentenceStart = true;
      this.afterStop = false;
    } else this.afterStop = c === 46 || c === 33 || c === 63 || (c === 58 && this.wordsOnLine === 1); // . ! ? or a prefix's :
  }
}

/** One word (no separators inside) against vocabulary, declared, case and name rules. */
function isAllowedSingle(run: string, at: Position, rules: WordRules): boolean {
  const lower = run.toLowerCase();
  if (rules.denied.has(lower)) return false;
  if (rules.declared.has(lower)) return true;
  // A placeholder's name: a template templated again stays as it is.
  if (run === lower && PLACEHOLDER_NAMES.has(run)) return true;
  if (!vocabulary().has(lower)) return false;
  if (run === lower) return true;
  if (nameWords().has(lower)) return at.lineStart && isCapitalised(run) && nameWordsAtStart().has(lower);
  if (casedWords().has(run)) return true;
  return at.sentenceStart && (isCapitalised(run) || /^[A-Z][A-Z0-9]+$/.test(run));
}

/**
 * Whether an allowed run is allowed only as a capitalised person-name word at the start
 * of a line ("Promise resolver..."). Such a word is kept only when a lower-case word
 * follows it: "Max reported" or "Max Müller" lose "Max", "No such file" keeps "No".
 */
export function needsLowerCaseNext(run: string, at: Position, rules: WordRules): boolean {
  const lower = run.toLowerCase();
  return run !== lower && at.lineStart && nameWords().has(lower) && !rules.declared.has(lower);
}

/**
 * Whether a run of ASCII letters, digits, `_`, `$` and `'` may be sent as written.
 * `at`: where it stands (see Cursor). `inPath`: it is one part of a dotted property
 * path (`Promise.all`), whose parts are capitalised by convention.
 */
export function isAllowedRun(run: string, at: Position, rules: WordRules, inPath = false): boolean {
  if (run.length === 0 || run.length > MAX_RUN || !/^[A-Za-z0-9_$']+$/.test(run)) return false;
  if (rules.denied.has(run.toLowerCase())) return false;
  if (isKnownCode(run)) return true;
  const apostrophe = run.indexOf("'");
  if (apostrophe >= 0) {
    if (apostrophe === 0 || apostrophe === run.length - 1) return false;
    if (vocabulary().has(run.toLowerCase())) return true;
    const base = run.slice(0, apostrophe);
    const suffix = run.slice(apostrophe + 1);
    return APOSTROPHE_SUFFIXES.has(suffix.toLowerCase()) && isAllowedRun(base, at, rules, inPath);
  }
  if (/^\d+$/.test(run)) return false; // numbers leave as <number>
  if (isAllowedSingle(run, at, rules)) return true;
  if (inPath && isAllowedSingle(run.toLowerCase(), MID, rules)) return true;
  return isAllowedCompound(run, rules);
}

function isAllowedCompound(run: string, rules: WordRules): boolean {
  const pieces = run.split(/[_$]+/).filter((p) => p !== '');
  const parts: string[] = [];
  for (const piece of pieces) parts.push(...identifierParts(piece));
  if (parts.length < 2 || parts.length > 8) return false;
  if (parts.join('').length !== run.replace(/[_$]/g, '').length) return false; // a character no part covers
  for (const part of parts) {
    const lower = part.toLowerCase();
    if (rules.denied.has(lower)) return false;
    if (!vocabulary().has(lower) && !rules.declared.has(lower)) return false;
  }
  return true;
}
