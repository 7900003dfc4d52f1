import { isIP } from 'node:net';
import { PLACEHOLDER_NAMES, type Placeholder } from './error-placeholders.js';
import {
  Cursor,
  httpStatuses,
  isAllowedRun,
  isKnownCode,
  MID,
  needsLowerCaseNext,
  wordRules,
  type Position,
  type TemplateContext,
  type WordRules,
} from './error-vocabulary.js';

export type { TemplateContext } from './error-vocabulary.js';

// An error message reduced to a template: what leaves is built only from allowed parts
// (vocabulary words, known codes, ASCII punctuation and white space) and typed
// placeholders for everything else. Nothing is scrubbed out of the text: a token is
// kept only when it is known to be safe, so a shape no one thought of becomes a
// placeholder instead of a leak.
//
// Placeholders (a small fixed set):
//   <path>     a file path or file: URL (also a file name: report.xlsx)
//   <url>      a URL with a scheme, a scheme-less host/path, a git remote (git@host:org/repo)
//   <email>    an e-mail address (or any user@host)
//   <ip>       an IPv4 or IPv6 address, with or without a port
//   <mac>      a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff)
//   <host>     a dotted host name (db-7.prod.example.com)
//   <user>     a DOMAIN\account name
//   <uuid>     a UUID
//   <hex>      a hex number or id (0x1f, deadbeef01)
//   <token>    a long random-looking string (base64, JWT)
//   <value>    whatever follows `key=` (secrets, ids, settings)
//   <number>   a number, or a group of numbers (phone, card, IBAN digits, times, versions)
//   <quoted>   a quoted phrase of several words that are not all allowed
//   <package>  a scoped npm package name (@scope/name)
//   <name>     an identifier that is not in the vocabulary (camelCase, snake_case)
//   <id>       a token of letters and digits (serials, DESKTOP-7F3K2QX's 7F3K2QX)
//   <word>     any other word (names, words of other languages)
// HTTP status codes survive as digits where the text says they are one ("status code
// 404", "404 Not Found"). Known error codes (ENOENT, ERR_*, SQLITE_*) survive as words.

export { PLACEHOLDERS, type Placeholder } from './error-placeholders.js';

/** Longest template sent; longer ones are cut at a token boundary and end with `…`. */
export const MAX_TEMPLATE_CHARS = 1000;
/** Longest input looked at (captured messages are cut at 2,000 characters already). */
const MAX_INPUT_CHARS = 4000;

// ---- pieces ------------------------------------------------------------------------

type Piece =
  | { t: 'text'; s: string } // allowed words, punctuation, white space
  | { t: 'maybe'; s: string } // a name-word at a line start: kept only when a lower-case word follows
  | { t: 'ph'; kind: Placeholder; digits?: string }; // `digits`: a lone run of digits (HTTP status candidate)

/** Collects pieces and follows where the next word stands. */
class Out {
  readonly pieces: Piece[] = [];
  readonly cursor: Cursor;
  placeholders = 0;
  constructor(cursor = new Cursor()) {
    this.cursor = cursor;
  }
  at(): Position {
    return this.cursor.position();
  }
  text(s: string): void {
    if (s === '') return;
    this.pieces.push({ t: 'text', s });
    this.cursor.text(s);
  }
  maybe(s: string): void {
    this.pieces.push({ t: 'maybe', s });
    this.cursor.word();
  }
  ph(kind: Placeholder, digits?: string): void {
    this.pieces.push(digits === undefined ? { t: 'ph', kind } : { t: 'ph', kind, digits });
    this.cursor.word();
    this.placeholders++;
  }
  /** A sub-output that starts where this one stands (for a quoted part). */
  fork(): Out {
    return new Out(this.cursor.clone());
  }
  append(other: Out): void {
    for (const p of other.pieces) {
      this.pieces.push(p);
      if (p.t === 'text') this.cursor.text(p.s);
      else this.cursor.word();
    }
    this.placeholders += other.pieces.filter((p) => p.t === 'maybe').length; // judged later: not known to be kept
    this.placeholders += other.placeholders;
  }
}

// ---- normalisation -----------------------------------------------------------------

const TYPOGRAPHIC: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u2028': '\n',
  '\u2029': '\n',
};

function normalise(message: string): string {
  let text = message.length > MAX_INPUT_CHARS ? message.slice(0, MAX_INPUT_CHARS) : message;
  text = text.replace(/\r\n?/g, '\n');
  text = text.replace(
    /[\u2018\u2019\u201A\u201B\u2032\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u2013\u2014\u2212\u2026\u2028\u2029]/g,
    (c) => TYPOGRAPHIC[c] ?? ' ',
  );
  // Other white space, control and format characters become a space: no invisible
  // character may join two tokens or hide inside one.
  return text.replace(/[^\S\n\t ]|[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, (c) => (c === '\n' || c === '\t' ? c : ' '));
}

// ---- classification of a chunk (a run without white space) ------------------------

const WS = /[\n\t ]/;
/** White space as the templater sees it (after normalise): space, tab, newline. */
function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9;
}
const QUOTES = `'"\``;
const QUOTE_OPENERS = '([{<=:,';
const QUOTE_CLOSERS = ')]}>,.;:!?';
const MAX_QUOTED = 400;

const RUN = /[\p{L}\p{N}_$']/u;
const ASCII_PUNCT = /^[!-/:-@[-`{-~]$/;

const FILE_EXTENSIONS = new Set(
  (
    'js mjs cjs ts mts cts tsx jsx json json5 node wasm map dll so dylib exe msi app dmg deb rpm asar txt log md csv tsv yaml yml toml ' +
    'ini cfg conf env xml html htm css scss png jpg jpeg gif svg webp ico bmp pdf doc docx xls xlsx ppt pptx odt ods rtf db sqlite ' +
    'sqlite3 lock pem key crt cer p12 pfx zip gz tgz tar 7z rar bak tmp sh bat cmd ps1 py rb go rs java c cc cpp h hpp'
  ).split(' '),
);

/** Words after which the next token is a credential: `password: x`, `Authorization: Bearer x`. */
const SECRET_KEY =
  /^(?:password|passwd|pwd|pass|passphrase|secret|token|apikey|api[-_]key|auth|authorization|credentials?|cookie|session|signature|sig|pin)[:=]$/i;
const AUTH_SCHEME = /^(?:bearer|basic|digest|negotiate|ntlm)$/i;

function isHexGroups(core: string, sep: string, groups: number, size: number): boolean {
  const parts = core.split(sep);
  return parts.length === groups && parts.every((p) => p.length >= 1 && p.length <= size && /^[0-9A-Fa-f]+$/.test(p));
}

/** Addresses: IPv4/IPv6 with or without brackets, port, zone; MAC addresses; times. */
function addressKind(core: string): Placeholder | null {
  // Addresses start with a hex digit, `[` or `:` and hold a `:`, `.` or `-`: most words do not.
  if (!/^[0-9A-Fa-f[:]/.test(core) || !/[:.-]/.test(core)) return null;
  if (isIP(core) !== 0) return 'ip';
  const withPort = /^(.+):\d{1,5}$/.exec(core); // Node prints IPv6 with a port unbracketed: ::1:3000
  if (withPort && isIP(withPort[1] as string) !== 0) return 'ip';
  const bracketed = /^\[([0-9A-Fa-f:.]+)(?:%[\w.-]+)?\](?::\d{1,5})?$/.exec(core);
  if (bracketed && isIP(bracketed[1] as string) !== 0) return 'ip';
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(core);
  if (v4port && isIP(v4port[1] as string) === 4) return 'ip';
  const zoned = /^([0-9A-Fa-f:.]+)%[\w.-]+$/.exec(core);
  if (zoned && isIP(zoned[1] as string) === 6) return 'ip';
  if (
    /^[0-9A-Fa-f]{1,4}[:.-][0-9A-Fa-f]/.test(core) &&
    (isHexGroups(core, ':', 6, 2) || isHexGroups(core, '-', 6, 2) || isHexGroups(core, '.', 3, 4))
  ) {
    return /^[\d:.-]+$/.test(core) && core.includes('.') ? null : 'mac';
  }
  // Colon-separated hex groups that are not a valid address (a cut or odd notation).
  if (/^[0-9A-Fa-f.]*(?::[0-9A-Fa-f.]*){2,}$/.test(core) && /[0-9A-Fa-f]/.test(core)) {
    return /^[\d:]+$/.test(core) && core.split(':').every((g) => g.length <= 2) ? 'number' : 'ip';
  }
  return null;
}

const UUID = /^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$/;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;
const SCHEME_URL = /^[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\//;
const OPAQUE_URL = /^(?:mailto|data|blob|javascript|about|urn|tel|sms|news|magnet):/i;
const ROOTED_PATH = /^(?:[A-Za-z]:[\\/]|\\\\|\/|~[\\/]|~$|\.{1,2}[\\/]|%[A-Za-z_]+%[\\/]?|\$[A-Za-z_]+[\\/])/;
const SCHEMELESS_URL = /^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?::\d{1,5})?[/?#]|^(?:localhost|[A-Za-z0-9-]+):\d{1,5}(?:[/?#]|$)/;
const DOMAIN_ACCOUNT = /^[A-Za-z][\w.-]*\\[\w.$-]+$/;
const GIT_REMOTE = /^[\w.+-]+@[\w.-]+:[\w./~-]/;
const SCOPED_PACKAGE = /^@[\w.-]+\/[\w.-]+/;
const KEY = /^[\w.$-]{1,64}=/;
const KEY_IN_CHUNK = /^[([{<"'`]*[\w.$-]{1,64}=/;
const EMAIL_LIKE = /^[\w.+%'-]+@[\w-]+(?:\.[\w-]+)*(?::\d{1,5})?$/;

class Templater {
  /** The next chunk or quoted part is a value (after `key=`, `password:`, `Bearer`). */
  private valueNext = false;
  constructor(private readonly rules: WordRules) {}

  /** The pieces of `text` (a whole message, or a quoted part of one). */
  run(text: string, out: Out): void {
    let i = 0;
    while (i < text.length) {
      const c = text[i] as string;
      if (isWs(text.charCodeAt(i))) {
        let j = i + 1;
        while (j < text.length && isWs(text.charCodeAt(j))) j++;
        out.text(text.slice(i, j));
        if (text.slice(i, j).includes('\n')) this.valueNext = false;
        i = j;
        continue;
      }
      if (QUOTES.includes(c) && this.canOpenQuote(text, i)) {
        const close = this.findClose(text, i);
        if (close > 0) {
          out.text(c);
          this.quoted(text.slice(i + 1, close), out);
          this.valueNext = false; // a key inside quotes does not reach past them
          out.text(c);
          i = close + 1;
          continue;
        }
      }
      // A chunk: up to white space, or up to a quote that opens after `=`, `:`, `(`...
      // A value (after `key=`, `password:`) runs to the white space, quotes and all.
      let j = i + 1;
      while (j < text.length && !isWs(text.charCodeAt(j))) {
        const d = text[j] as string;
        if (!this.valueNext && (d === "'" || d === '"' || d === '`') && QUOTE_OPENERS.includes(text[j - 1] as string)) {
          const sofar = text.slice(i, j);
          const keyed = KEY_IN_CHUNK.exec(sofar);
          // In `key=...`, only a quote right after the `=` opens a quoted value.
          if ((keyed === null || keyed[0].length === sofar.length) && this.findClose(text, j) > 0) break;
        }
        j++;
      }
      const chunk = text.slice(i, j);
      const wasValue = this.valueNext;
      this.chunk(chunk, out);
      this.valueNext = !wasValue && (SECRET_KEY.test(chunk) || chunk.endsWith('=')) ? true : AUTH_SCHEME.test(chunk);
      i = j;
    }
  }

  private canOpenQuote(text: string, i: number): boolean {
    if (i === 0) return true;
    const prev = text[i - 1] as string;
    return WS.test(prev) || QUOTE_OPENERS.includes(prev);
  }

  /** Index of the quote that closes the one at `open`, or -1. */
  private findClose(text: string, open: number): number {
    const q = text[open] as string;
    let j = text.indexOf(q, open + 1);
    while (j > 0 && j - open - 1 <= MAX_QUOTED) {
      const between = text.slice(open + 1, j);
      if (between.includes('\n')) return -1;
      const next = text[j + 1];
      if (next === undefined || WS.test(next) || QUOTE_CLOSERS.includes(next) || QUOTES.includes(next)) return j;
      j = text.indexOf(q, j + 1);
    }
    return -1;
  }

  private quoted(inner: string, out: Out): void {
    if (inner === '') return;
    if (this.valueNext) {
      this.valueNext = false;
      return out.ph('value');
    }
    if (!/[\n\t ]/.test(inner)) return this.chunk(inner, out);
    if (ROOTED_PATH.test(inner) || /^file:/i.test(inner)) return out.ph('path');
    if (SCHEME_URL.test(inner) || OPAQUE_URL.test(inner)) return out.ph('url');
    const sub = out.fork();
    this.run(inner, sub);
    if (sub.placeholders === 0) out.append(sub);
    else out.ph('quoted');
  }

  /** A run of text without white space. */
  chunk(chunk: string, out: Out): void {
    if (this.valueNext) {
      this.valueNext = false;
      return out.ph('value');
    }
    // Peel brackets, quotes and sentence punctuation off both ends.
    let start = 0;
    let end = chunk.length;
    while (start < end && /[([{<"'`]/.test(chunk[start] as string) && !(chunk[start] === '[' && /^\[[0-9A-Fa-f:]/.test(chunk.slice(start))))
      start++;
    // key=value pairs, also in lists (a=1;b=2, a=1&b=2): the value, up to the end of the
    // chunk, never leaves.
    const body = chunk.slice(start);
    if (KEY.test(body)) {
      if (start > 0) this.punct(chunk.slice(0, start), out);
      for (const part of /[;&]/.test(body) ? body.split(/([;&])/) : [body]) {
        if (part === ';' || part === '&') out.text(part);
        else if (part !== '') this.keyValue(part, out);
      }
      return;
    }
    while (end > start && /[)\]}>"'`,;:.!?]/.test(chunk[end - 1] as string)) {
      // Keep `]` closing an IPv6 literal and `:` of a drive (`C:`), keep `...` at the end of a path.
      if (chunk[end - 1] === ']' && chunk.lastIndexOf('[', end - 1) >= start) break;
      end--;
    }
    if (start > 0) this.punct(chunk.slice(0, start), out);
    if (end > start) this.core(chunk.slice(start, end), out);
    if (end < chunk.length) this.punct(chunk.slice(end), out);
  }

  private keyValue(part: string, out: Out): void {
    const key = KEY.exec(part);
    if (key === null) return this.chunk(part, out);
    // The key with its `=`: the run before `=` is an identifier (see isPathPart).
    this.generic(key[0], out);
    if (part.length > key[0].length) out.ph('value');
  }

  private punct(text: string, out: Out): void {
    let s = '';
    for (const ch of text) s += ASCII_PUNCT.test(ch) ? ch : ' ';
    out.text(s);
  }

  private core(core: string, out: Out): void {
    if (SCHEME_URL.test(core)) return out.ph(/^file:/i.test(core) ? 'path' : 'url');
    if (OPAQUE_URL.test(core) && core.length > 4) return out.ph('url');
    if (core.includes('@')) {
      if (SCOPED_PACKAGE.test(core)) return out.ph('package');
      if (GIT_REMOTE.test(core)) return out.ph('url');
      if (EMAIL_LIKE.test(core)) return out.ph('email');
      // Other shapes with `@` (@@iterator, a cut address) go word by word below.
    }
    const address = addressKind(core);
    if (address) return out.ph(address);
    if (UUID.test(core)) return out.ph('uuid');
    if (JWT.test(core)) return out.ph('token');
    if (/[\\/]/.test(core)) return this.slashed(core, out);
    const hostPort = /^([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):\d{1,5}$/.exec(core);
    if (hostPort && /\.[A-Za-z]{2,24}$/.test(hostPort[1] as string)) return out.ph('host');
    if (/[A-Za-z0-9]\.[A-Za-z0-9]/.test(core) && this.dotted(core, out)) return;
    this.generic(core, out);
  }

  private slashed(core: string, out: Out): void {
    if (SCHEMELESS_URL.test(core)) return out.ph('url');
    if (ROOTED_PATH.test(core)) return out.ph('path');
    if (DOMAIN_ACCOUNT.test(core) && !core.includes('/')) {
      const [domain, account] = core.split('\\') as [string, string];
      const extension = /\.([A-Za-z0-9]+)$/.exec(account)?.[1]?.toLowerCase();
      if (extension !== undefined && FILE_EXTENSIONS.has(extension)) return out.ph('path');
      if (!(this.allowed(domain) && this.allowed(account))) return out.ph('user');
    }
    // "and/or", "application/json", "HTTP/1.1", "I/O": a few allowed parts stay as they are.
    const segments = core.split(/([\\/])/);
    const words = segments.filter((s, k) => k % 2 === 0);
    if (words.length <= 3 && words.every((w) => w === '' || /^\d+(?:\.\d+)*$/.test(w) || this.allowedGeneric(w))) {
      for (let k = 0; k < segments.length; k++) {
        const s = segments[k] as string;
        if (k % 2 === 1) out.text(s);
        else if (s !== '') this.generic(s, out);
      }
      return;
    }
    out.ph('path');
  }

  /** A chunk with dots inside. True when handled. */
  private dotted(core: string, out: Out): boolean {
    if (/^[\d.,]+$/.test(core)) return false; // a number: generic merges it
    const segs = core.split('.');
    if (segs.length >= 2 && segs.every((s) => s !== '' && (/^\d+$/.test(s) || this.isAllowed(s, true)))) {
      this.generic(core, out); // word by word, each part judged where it stands (isPathPart)
      return true;
    }
    const last = (segs[segs.length - 1] as string).toLowerCase();
    if (segs.length >= 2 && FILE_EXTENSIONS.has(last) && /^[^()[\]{}<>]+$/.test(core)) {
      out.ph('path');
      return true;
    }
    if (/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+$/.test(core)) {
      if (/^[A-Za-z]{2,24}$/.test(last) && /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(core) && !/[A-Z]/.test(core.replace(/^[^.]*/, '')))
        out.ph('host');
      else out.ph('name');
      return true;
    }
    return false;
  }

  private isAllowed(run: string, inPath: boolean): boolean {
    return /^[A-Za-z0-9_$']+$/.test(run) && isAllowedRun(run, MID, this.rules, inPath);
  }

  private allowed(run: string): boolean {
    return this.isAllowed(run, false);
  }

  /** Whether `text` would come out of generic() without any placeholder. */
  private allowedGeneric(text: string): boolean {
    const probe = new Out();
    probe.cursor.word(); // not at a line or sentence start: the strictest position
    this.generic(text, probe);
    return probe.placeholders === 0;
  }

  /** Words and single punctuation characters. */
  generic(text: string, out: Out): void {
    let i = 0;
    while (i < text.length) {
      const c = text[i] as string;
      if (RUN.test(c)) {
        let j = i + 1;
        while (j < text.length && RUN.test(text[j] as string)) j++;
        this.word(text, i, j, out);
        i = j;
        continue;
      }
      const code = c.codePointAt(0) as number;
      const width = code > 0xffff ? 2 : 1;
      out.text(ASCII_PUNCT.test(c) ? c : ' ');
      i += width;
    }
  }

  /** The run text[i, j) of letters, digits, `_`, `$` and `'`. */
  private word(text: string, i: number, j: number, out: Out): void {
    const run = text.slice(i, j);
    const lead = /^'+/.exec(run)?.[0] ?? '';
    const trail = /'+$/.exec(run.slice(lead.length))?.[0] ?? '';
    const core = run.slice(lead.length, run.length - trail.length);
    out.text(lead);
    if (core !== '') this.classifyRun(core, out, isPathPart(text, i + lead.length, i + lead.length + core.length));
    out.text(trail);
  }

  private classifyRun(run: string, out: Out, inPath: boolean): void {
    if (isKnownCode(run)) return out.text(run);
    if (/^\d+$/.test(run)) return out.ph('number', run);
    if (/^0x[0-9A-Fa-f]+$/.test(run)) return out.ph('hex');
    const ascii = /^[A-Za-z0-9_$']+$/.test(run);
    if (ascii && isAllowedRun(run, out.at(), this.rules, inPath)) {
      return !inPath && needsLowerCaseNext(run, out.at(), this.rules) ? out.maybe(run) : out.text(run);
    }
    const unit = /^(\d+)([A-Za-z]{1,3})$/.exec(run);
    if (unit) {
      out.ph('number');
      if (isAllowedRun(unit[2] as string, out.at(), this.rules)) out.text(unit[2] as string);
      return;
    }
    if (/^[0-9A-Fa-f]{8,}$/.test(run) && /\d/.test(run)) return out.ph('hex');
    if (run.length >= 20 && (/\d/.test(run) || /[a-z][A-Z]/.test(run))) return out.ph('token');
    if (/\d/.test(run)) return out.ph('id');
    if (/[_$]|[a-z][A-Z]/.test(run)) return out.ph('name');
    out.ph('word');
  }
}

/**
 * Whether the run text[i, j) is an identifier by its place: one part of a dotted path
 * (`a.b`, a dot joins it to another run) or a key (`Password=`). Such parts are
 * capitalised by convention, so the case rules do not apply to them.
 */
function isPathPart(text: string, i: number, j: number): boolean {
  // A placeholder's bracket counts as a word's end: `9.X` is written `<number>.X`.
  return (
    (text[i - 1] === '.' && /[A-Za-z0-9_$>]/.test(text[i - 2] ?? '')) ||
    (text[j] === '.' && /[A-Za-z0-9_$<]/.test(text[j + 1] ?? '')) ||
    text[j] === '='
  );
}

// ---- post-processing ---------------------------------------------------------------

const NUMBER_GLUE = /^[ \-./:()+,]{1,3}$/;
const PATH_GLUE = /^(?: | - |-)$/;
const PATH_PARTS = new Set<Placeholder>(['word', 'name', 'id', 'number', 'path', 'user', 'host']);
const STATUS_CONTEXT = new Set(['status', 'code', 'statuscode', 'http', 'https', 'response', 'responded', 'returned', 'error', 'http2']);

/** A name-word at a line start stays when the next thing written is a lower-case word, else it is a <word>. */
function resolveMaybe(pieces: Piece[]): Piece[] {
  return pieces.map((p, k) => {
    if (p.t !== 'maybe') return p;
    for (let j = k + 1; j < pieces.length; j++) {
      const q = pieces[j] as Piece;
      if (q.t !== 'text') break;
      const m = /[^ \t]/.exec(q.s);
      if (m === null) continue;
      if (/[a-z]/.test(m[0])) return { t: 'text', s: p.s };
      break;
    }
    return { t: 'ph', kind: 'word' };
  });
}

/** Adjacent text pieces as one (the glue between numbers or path parts is then one piece). */
function coalesce(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const prev = out[out.length - 1];
    if (p.t === 'text' && prev?.t === 'text') prev.s += p.s;
    else if (p.t === 'text' || p.t === 'maybe') out.push({ t: 'text', s: p.s });
    else out.push(p);
  }
  return out;
}

function isPh(p: Piece | undefined, kind?: Placeholder): p is Extract<Piece, { t: 'ph' }> {
  return p !== undefined && p.t === 'ph' && (kind === undefined || p.kind === kind);
}

/** Groups of numbers (phone, card, IBAN, SID parts) become one <number>. */
function mergeNumbers(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k] as Piece;
    if (isPh(p, 'number')) {
      let end = k;
      while (isPh(pieces[end + 2], 'number') && pieces[end + 1]?.t === 'text' && NUMBER_GLUE.test((pieces[end + 1] as { s: string }).s))
        end += 2;
      if (end > k) {
        // `+49 ...`: the plus sign belongs to the number.
        const prev = out[out.length - 1];
        if (prev?.t === 'text' && prev.s.endsWith('+')) prev.s = prev.s.slice(0, -1);
        if (prev?.t === 'text' && prev.s === '') out.pop();
        out.push({ t: 'ph', kind: 'number' });
        k = end;
        continue;
      }
    }
    out.push(p);
  }
  return out;
}

/** A path cut at its spaces (C:\Users\Jörg Müller\x) becomes one <path>. */
function mergePaths(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k] as Piece;
    out.push(p);
    if (!isPh(p, 'path')) continue;
    let last = -1;
    for (let j = k + 1; j < pieces.length && j <= k + 12; j++) {
      const q = pieces[j] as Piece;
      if (q.t !== 'ph') {
        if (!PATH_GLUE.test(q.s)) break;
      } else if (!PATH_PARTS.has(q.kind)) break;
      else if (q.kind === 'path' || q.kind === 'user') last = j; // `GmbH\a` of a path cut at a space reads as DOMAIN\account
    }
    if (last > 0) k = last;
  }
  return out;
}

function previousWord(pieces: Piece[], k: number): string | null {
  for (let j = k - 1; j >= 0 && j >= k - 4; j--) {
    const p = pieces[j] as Piece;
    if (p.t === 'ph') return null;
    const m = /([A-Za-z0-9]+)[^A-Za-z0-9]*$/.exec(p.s);
    if (m) return (m[1] as string).toLowerCase();
  }
  return null;
}

function nextWord(pieces: Piece[], k: number): string | null {
  for (let j = k + 1; j < pieces.length && j <= k + 3; j++) {
    const p = pieces[j] as Piece;
    if (p.t === 'ph') return null;
    const m = /^[^A-Za-z0-9]*([A-Za-z0-9]+)/.exec(p.s);
    if (m) return m[1] as string;
  }
  return null;
}

/** A lone 3-digit number that the text calls an HTTP status keeps its digits. */
function keepStatuses(pieces: Piece[]): Piece[] {
  const statuses = httpStatuses();
  return pieces.map((p, k) => {
    if (!isPh(p, 'number') || p.digits === undefined || !/^[1-5]\d\d$/.test(p.digits)) return p;
    const phrase = statuses.get(Number(p.digits));
    if (phrase === undefined) return p;
    const before = previousWord(pieces, k);
    const after = nextWord(pieces, k);
    if ((before !== null && STATUS_CONTEXT.has(before)) || after === phrase.split(' ')[0]) return { t: 'text', s: p.digits };
    return p;
  });
}

function render(pieces: Piece[]): string {
  let s = '';
  for (const p of pieces) {
    const part = p.t === 'ph' ? `<${p.kind}>` : p.s;
    if (s.length + part.length > MAX_TEMPLATE_CHARS) return `${s.trimEnd()}…`;
    s += part;
  }
  return s;
}

// ---- API ---------------------------------------------------------------------------

/**
 * The message as a template of allowed tokens and typed placeholders. Pure and
 * deterministic: the same message and context always give the same template.
 */
export function errorTemplate(message: string, ctx?: TemplateContext): string {
  if (typeof message !== 'string' || message === '') return '';
  const out = new Out();
  new Templater(wordRules(ctx)).run(normalise(message), out);
  return render(keepStatuses(mergePaths(mergeNumbers(coalesce(resolveMaybe(out.pieces)))))).trim();
}

/**
 * Whether `text` consists only of allowed words, known codes, HTTP status digits,
 * placeholders, ASCII punctuation and white space (the property every template has).
 */
export function isSafeTemplate(text: string, ctx?: TemplateContext): boolean {
  if (typeof text !== 'string') return false;
  const rules = wordRules(ctx);
  const statuses = httpStatuses();
  const cursor = new Cursor();
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '<') {
      const m = /^<([a-z]+)>/.exec(text.slice(i, i + 12));
      if (m && PLACEHOLDER_NAMES.has(m[1] as string)) {
        cursor.word();
        i += m[0].length;
        continue;
      }
    }
    if (/[A-Za-z0-9_$']/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$']/.test(text[j] as string)) j++;
      const raw = text.slice(i, j);
      const lead = /^'+/.exec(raw)?.[0].length ?? 0;
      const trail = /'+$/.exec(raw.slice(lead))?.[0].length ?? 0;
      const run = raw.slice(lead, raw.length - trail);
      cursor.text(raw.slice(0, lead));
      if (run !== '') {
        const inPath = isPathPart(text, i + lead, i + lead + run.length);
        const at = cursor.position();
        const ok = isKnownCode(run) || (/^\d{3}$/.test(run) && statuses.has(Number(run))) || isAllowedRun(run, at, rules, inPath);
        if (!ok) return false;
        if (
          !isKnownCode(run) &&
          !inPath &&
          needsLowerCaseNext(run, at, rules) &&
          !/^[ \t]*[a-z]/.test(text.slice(i + lead + run.length, i + lead + run.length + 64))
        )
          return false;
        cursor.word();
      }
      cursor.text(raw.slice(lead + run.length));
      i = j;
      continue;
    }
    if (c === '…' && i === text.length - 1) return true; // the cut mark of a long template
    if (c !== '\n' && c !== ' ' && c !== '\t' && !ASCII_PUNCT.test(c)) return false;
    cursor.text(c);
    i++;
  }
  return true;
}
