import type { TemplateContext } from './error-template.js';
import { isAllowedRun, MID, wordRules } from './error-vocabulary.js';
import { isPopularPackage } from './package-names.js';

// Stack frames as they may leave: a function name that is an identifier path (in a file
// that is not the app's, a popular package's or Node's, one made of vocabulary words:
// a private package names its functions after its owner), and a location that is one of
//   - the app's own file, relative to a known app root (dist/main/agent.js), when every
//     segment of that relative path is ASCII identifier-ish and no denied name;
//   - a popular public npm package's name when the file is under node_modules;
//     `<package>` for any other package (a private `@contoso/billing` names an organisation);
//   - a Node internal module as it is (node:internal/timers);
//   - `<external>` for anything else (a path outside the app, an unknown URL, eval code).
// Line and column are kept: they point into code, not at data.

/** A frame as V8 prints it, parsed. */
export interface RawFrame {
  /** The function as printed (`Class.method`, `Object.<anonymous>`, `fn [as alias]`), without `async `/`new `; null when none. */
  fn: string | null;
  isAsync: boolean;
  isConstructor: boolean;
  /** The file path or URL (for an eval frame: of the code that called eval), or `native`, `index 0`, `<anonymous>`. */
  location: string;
  line: number | null;
  col: number | null;
  /** For an eval frame: true; its location and position are those of the eval call. */
  isEval: boolean;
}

export interface SafeFrame {
  fn: string;
  file: string;
  line: number | null;
  col: number | null;
}

export interface FrameRoots {
  /**
   * Where the app's own code lives: absolute directories (POSIX or Windows, e.g. the
   * app root or an app.asar) and URL prefixes of pages the app serves
   * (`http://127.0.0.1:8123`, `app://bundle`).
   */
  appRoots: readonly string[];
  /** Names that identify this machine or its user: a relative path with such a segment leaves as `<external>`. */
  denied?: readonly string[];
}

export const EXTERNAL = '<external>';
export const PACKAGE = '<package>';
export const UNKNOWN_FN = '<fn>';
/** Frames kept per error. */
export const MAX_FRAMES = 12;

// ---- parsing -----------------------------------------------------------------------

const AT = /^\s*at\s+(.*?)\s*$/;
const MAX_LINE = 2000;

/** Splits `rest` of a frame line into the function and the part in the last balanced parentheses. */
function splitCall(rest: string): { fn: string | null; inner: string } {
  if (!rest.endsWith(')')) return { fn: null, inner: rest };
  let depth = 0;
  for (let i = rest.length - 1; i >= 0; i--) {
    const c = rest[i];
    if (c === ')') depth++;
    else if (c === '(' && --depth === 0) {
      const fn = rest.slice(0, i).trim();
      return fn === '' ? { fn: null, inner: rest } : { fn, inner: rest.slice(i + 1, -1) };
    }
  }
  return { fn: null, inner: rest };
}

function position(location: string): { location: string; line: number | null; col: number | null } {
  const lc = /^(.*):(\d{1,9}):(\d{1,9})$/.exec(location);
  if (lc) return { location: lc[1] as string, line: Number(lc[2]), col: Number(lc[3]) };
  const l = /^(.*):(\d{1,9})$/.exec(location);
  if (l) return { location: l[1] as string, line: Number(l[2]), col: null };
  return { location, line: null, col: null };
}

/** The frame of one `    at ...` line, or null when the line is not a V8 frame. */
export function parseFrameLine(text: string): RawFrame | null {
  if (text.length > MAX_LINE) return null;
  const m = AT.exec(text);
  if (!m) return null;
  let rest = m[1] as string;
  let isAsync = false;
  if (rest.startsWith('async ')) {
    isAsync = true;
    rest = rest.slice(6);
  }
  const { fn: rawFn, inner } = splitCall(rest);
  let fn = rawFn;
  let isConstructor = false;
  if (fn?.startsWith('new ')) {
    isConstructor = true;
    fn = fn.slice(4);
  }
  // eval frames: `eval at outer (file:1:2), <anonymous>:3:4` (nested evals nest the first part).
  if (inner.startsWith('eval at ')) {
    let origin = inner;
    while (origin.startsWith('eval at ')) {
      const open = origin.indexOf('(');
      const close = origin.lastIndexOf(')');
      if (open < 0 || close < open) break;
      origin = origin.slice(open + 1, close);
    }
    const at = position(origin.split(', ')[0] as string);
    return { fn, isAsync, isConstructor, location: at.location, line: at.line, col: at.col, isEval: true };
  }
  const at = position(inner);
  return { fn, isAsync, isConstructor, location: at.location, line: at.line, col: at.col, isEval: false };
}

/** The V8 frames of a stack string (`at fn (file:line:col)`, `at file:line:col`, async, new, eval). */
export function parseStackFrames(stack: string, limit = Number.POSITIVE_INFINITY): RawFrame[] {
  const out: RawFrame[] = [];
  if (typeof stack !== 'string') return out;
  let start = 0;
  while (start <= stack.length && out.length < limit) {
    let end = stack.indexOf('\n', start);
    if (end < 0) end = stack.length;
    const frame = parseFrameLine(stack.slice(start, end).replace(/\r$/, ''));
    if (frame) out.push(frame);
    start = end + 1;
  }
  return out;
}

// ---- reduction -----------------------------------------------------------------------

const IDENT = '[A-Za-z_$][\\w$]{0,79}';
const FN_PART = `(?:${IDENT}|<anonymous>|<computed>|<instance_members_initializer>|<static_initializer>)`;
// `Object.get foo [as foo]`: V8 names accessors with a `get `/`set ` before the last part.
const FN = new RegExp(`^(?:${FN_PART}\\.){0,7}(?:(?:get|set) )?${FN_PART}$`);

const SPECIAL_PART = /^<[a-z_]+>$/;

/**
 * Whether every part of a function path is made of vocabulary words (`Server.emit`,
 * `Module._compile`), as a function in someone else's code must be: a private package
 * or a script outside the app names its functions after its owner (`ContosoBilling.run`).
 */
function isVocabularyPath(fn: string, template: TemplateContext): boolean {
  const rules = wordRules(template);
  for (const part of fn.split('.')) {
    const name = part.replace(/^(?:get|set) /, '').replace(/^[_$]+|[_$]+$/g, '');
    if (name === '' || SPECIAL_PART.test(name)) continue;
    if (!isAllowedRun(name, MID, rules, true)) return false;
  }
  return true;
}

/** Where a frame's function is judged: its file (raw, or as already sent) and the app's roots. */
export interface FunctionJudge {
  file: unknown;
  roots: FrameRoots;
  template: TemplateContext;
}

/**
 * Whether a frame's code belongs to someone other than the app, a popular package or
 * Node. Only a sender knows where the app is: without app roots (a receiver
 * re-checking a report) nobody's code can be told apart, and this is false.
 */
function isOthersCode(judge: FunctionJudge): boolean {
  if ((judge.roots.appRoots ?? []).length === 0) return false;
  if (typeof judge.file !== 'string') return true;
  const file = safeFileLocation(judge.file, judge.roots);
  return file === EXTERNAL || file === PACKAGE;
}

function safeFn(frame: RawFrame, judge?: FunctionJudge): string {
  let fn = frame.fn ?? '<anonymous>';
  fn = fn.replace(/ \[as [^\]]{1,80}\]$/, '');
  if (fn.length > 200 || !FN.test(fn)) return UNKNOWN_FN;
  if (judge !== undefined && isOthersCode(judge) && !isVocabularyPath(fn, judge.template)) return UNKNOWN_FN;
  if (frame.isConstructor) fn = `new ${fn}`;
  if (frame.isAsync) fn = `async ${fn}`;
  return fn;
}

interface CompiledRoots {
  dirs: { prefix: string; caseless: boolean }[];
  urls: string[];
  denied: Set<string>;
}

const compiledRoots = new WeakMap<FrameRoots, CompiledRoots>();

function slashes(path: string): string {
  return path.replace(/\\/g, '/').replace(/\/{2,}/g, (m, offset: number) => (offset === 0 ? '//' : '/'));
}

function compile(roots: FrameRoots): CompiledRoots {
  const cached = compiledRoots.get(roots);
  if (cached) return cached;
  const dirs: CompiledRoots['dirs'] = [];
  const urls: string[] = [];
  for (const root of roots.appRoots ?? []) {
    if (typeof root !== 'string' || root.trim() === '') continue;
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(root) && !/^file:/i.test(root)) {
      urls.push(root.replace(/\/+$/, ''));
      continue;
    }
    const path = slashes(/^file:/i.test(root) ? (fileUrlPath(root) ?? '') : root).replace(/\/+$/, '');
    if (path === '' || path === '/') continue; // a root of "/" would make every path the app's
    // Windows and UNC paths compare without case.
    const caseless = /^[A-Za-z]:\//.test(path) || path.startsWith('//');
    dirs.push({ prefix: caseless ? path.toLowerCase() : path, caseless });
  }
  dirs.sort((a, b) => b.prefix.length - a.prefix.length);
  urls.sort((a, b) => b.length - a.length);
  const denied = new Set((roots.denied ?? []).filter((d) => typeof d === 'string' && d !== '').map((d) => d.toLowerCase()));
  const result = { dirs, urls, denied };
  compiledRoots.set(roots, result);
  return result;
}

function fileUrlPath(url: string): string | null {
  let rest = url.replace(/^file:\/\//i, '');
  if (/^localhost\//i.test(rest)) rest = rest.slice('localhost'.length);
  try {
    rest = decodeURIComponent(rest);
  } catch {
    return null;
  }
  if (!rest.startsWith('/')) return `//${rest}`; // file://server/share
  return /^\/[A-Za-z]:\//.test(rest) ? rest.slice(1) : rest;
}

const SEGMENT = /^[A-Za-z0-9_.@+-]{1,64}$/;
const MAX_SEGMENTS = 16;

/** The relative path as it may leave, or null when a segment is not safe. */
function safeRelative(rel: string, denied: ReadonlySet<string>): string | null {
  const segments = rel.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.length > MAX_SEGMENTS) return null;
  for (const s of segments) {
    if (!SEGMENT.test(s) || s === '.' || s === '..') return null;
    const lower = s.toLowerCase();
    if (denied.has(lower)) return null;
    // A denied name inside a segment (bob-notes.js, jmueller_export): the segment names the user too.
    for (const d of denied) if (d.length >= 3 && lower.includes(d)) return null;
  }
  return segments.join('/');
}

/** The package a node_modules path belongs to: `name` or `@scope/name` after the last node_modules. */
function packageOf(path: string): string | null {
  const at = path.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const rest = path.slice(at + '/node_modules/'.length).split('/');
  const first = rest[0] ?? '';
  const name = first.startsWith('@') ? `${first}/${rest[1] ?? ''}` : first;
  return /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) ? name : '';
}

function fileOf(location: string, roots: CompiledRoots): string {
  if (/^node:[\w/.-]{1,100}$/.test(location)) return location;
  // Node before 16 printed internals without the scheme; Electron before 22 its own bundles so.
  if (/^internal\/[\w/.-]{1,100}\.js$/.test(location)) return `node:${location.slice(0, -3)}`;
  if (/^electron\/js2c\/[\w/.-]{1,100}$/.test(location)) return location;

  let path: string;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location) && !/^file:/i.test(location)) {
    const url = location.replace(/[?#].*$/, '');
    for (const root of roots.urls) {
      if (url === root || url.startsWith(`${root}/`)) {
        const rel = safeRelative(url.slice(root.length), roots.denied);
        return rel ?? EXTERNAL;
      }
    }
    return EXTERNAL;
  } else if (/^file:/i.test(location)) {
    const p = fileUrlPath(location.replace(/[?#].*$/, ''));
    if (p === null) return EXTERNAL;
    path = slashes(p);
  } else if (/^(?:\/|[A-Za-z]:[\\/]|\\\\)/.test(location)) {
    path = slashes(location.replace(/^\\\\\?\\(?:UNC\\)?/i, (m) => (/UNC/i.test(m) ? '\\\\' : '')));
  } else {
    return EXTERNAL; // native, <anonymous>, index 0, evalmachine.<anonymous>, relative names
  }

  const pkg = packageOf(path);
  if (pkg !== null) return pkg !== '' && isPopularPackage(pkg) ? pkg : PACKAGE;

  for (const root of roots.dirs) {
    const candidate = root.caseless ? path.toLowerCase() : path;
    if (candidate.startsWith(`${root.prefix}/`)) {
      return safeRelative(path.slice(root.prefix.length + 1), roots.denied) ?? EXTERNAL;
    }
  }
  return EXTERNAL;
}

function safeNumber(n: number | null): number | null {
  return n !== null && Number.isInteger(n) && n >= 0 && n <= 100_000_000 ? n : null;
}

/** One frame as it may leave. */
export function safeFrame(frame: RawFrame, roots: FrameRoots, template: TemplateContext = {}): SafeFrame {
  return {
    fn: safeFn(frame, { file: frame.location, roots, template }),
    file: fileOf(frame.location, compile(roots)),
    line: safeNumber(frame.line),
    col: safeNumber(frame.col),
  };
}

/** The top frames of a stack string as they may leave (at most `limit`, default 12). */
export function safeFrames(stack: string, roots: FrameRoots, limit = MAX_FRAMES, template: TemplateContext = {}): SafeFrame[] {
  return parseStackFrames(stack, limit).map((f) => safeFrame(f, roots, template));
}

// ---- the payload's per-field rules ------------------------------------------------------
// The payload keeps a frame as { fn, file, line, col } and the schema walker applies one
// rule per field, so each part has its own entry point.

/**
 * The function as printed in a frame (`async Foo.bar`, `new X`, `x [as y]`), as it may
 * leave; with a judge, a function in someone else's code only when made of vocabulary words.
 */
export function safeFunctionName(printed: string, judge?: FunctionJudge): string {
  let fn = printed;
  const isAsync = fn.startsWith('async ');
  if (isAsync) fn = fn.slice('async '.length);
  const isConstructor = fn.startsWith('new ');
  if (isConstructor) fn = fn.slice('new '.length);
  return safeFn({ fn: fn === '' ? null : fn, isAsync, isConstructor, location: '', line: null, col: null, isEval: false }, judge);
}

/** The printed function of a parsed frame, with its `async `/`new ` marks (the raw view). */
export function printedFunctionName(frame: RawFrame): string {
  return `${frame.isAsync ? 'async ' : ''}${frame.isConstructor ? 'new ' : ''}${frame.fn ?? '<anonymous>'}`;
}

/** A frame's location as it may leave: app-relative path, popular package, `node:` module, or `<external>`/`<package>`. */
export function safeFileLocation(location: string, roots: FrameRoots): string {
  if (location === EXTERNAL || location === PACKAGE) return location;
  return fileOf(location, compile(roots));
}
