#!/usr/bin/env node
// Builds the error-message vocabulary (main/anonymize/vocabulary/*.ts) from the sources
// of Node, V8, libuv, Electron and widely used libraries.
//
//   node scripts/gen-vocabulary.mjs <source> [<source> ...]
//
// A source is `owner/name=<dir>` (a git directory as the `fetch` tool brings it, or a
// plain directory) or `owner/name@<ref>=<dir>` for a plain directory whose commit the
// git metadata cannot tell (a transcription read through the code index), or
// `nodejs/node@runtime`: the lib/ sources built into the Node binary running this script.
// Only repositories listed in SOURCES are understood. The output names every repository
// and commit it came from. This needs the snapshots on disk, so it does not run in CI;
// the generated modules are committed. The committed ones were made with (M: fetched
// snapshots, S: files copied through a code index, at the commits the header names):
//
//   node scripts/gen-vocabulary.mjs nodejs/node@runtime nodejs/node@<commit>=$S/nodejs+node \
//     denoland/v8@<commit>=$S/denoland+v8 libuv/libuv=$M/libuv+libuv/repo \
//     electron/electron=$M/electron+electron/repo nodejs/undici=$M/nodejs+undici/repo ... \
//     postgres/postgres@<commit>=$S/postgres+postgres sqlite/sqlite@<commit>=$S/sqlite+sqlite \
//     chromium/chromium@<commit>=$S/chromium+chromium   (one argument per repository of SOURCES)
//
// What is taken from a source is the text of its error messages, not all of its text:
// string literals inside `new XError(...)`, `throw ...`, `message:`/`msg =` and
// friends in JS/TS (parsed with the TypeScript compiler), string arguments of
// Throw*/Reject*/*Error calls in C++, and table entries (V8's T(...), libuv's XX(...),
// Node's V(...)). Words that are also person names (faker's name lists, every locale)
// are kept only when two or more sources use them, and then only in lower case.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import dns from 'node:dns';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { allLocales } from '@faker-js/faker';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'main/anonymize/vocabulary');

// ---- what each repository contributes --------------------------------------------

const JS = /\.(?:[cm]?js|[cm]?ts)$/;
const CPP = /\.(?:cc|cpp|h|hpp|mm|c)$/;
const NOT_CODE =
  /(?:^|\/)(?:tests?|__tests__|docs?|examples?|benchmarks?|bench|fixtures?|spec|typings|scripts|website|\.github|e2e|perf|play)(?:\/|$)|\.d\.ts$|\.(?:test|spec)\.[cm]?[jt]s$/;

/** include: files to read; whole: files whose every string literal is a message (message tables). */
const SOURCES = {
  'nodejs/node': {
    include: [/^lib\/.*\.js$/, /^src\/node_errors\.h$/],
    exclude: [/^lib\/internal\/deps\//],
    whole: [/^lib\/internal\/errors\.js$/],
  },
  'denoland/v8': { include: [/^src\/common\/message-template\.h$/] },
  'v8/v8': { include: [/^src\/common\/message-template\.h$/] },
  'libuv/libuv': { include: [/^include\/uv\.h$/, /^include\/uv\/errno\.h$/] },
  'electron/electron': { include: [/^lib\/.*\.ts$/, /^shell\/.*\.(?:cc|h|mm)$/] },
  'nodejs/undici': { include: [/^lib\/.*\.js$/], whole: [/^lib\/core\/errors\.js$/] },
  'axios/axios': { include: [/^lib\/.*\.js$/], whole: [/^lib\/core\/AxiosError\.js$/] },
  'jshttp/http-errors': { include: [/^index\.js$/] },
  'jshttp/statuses': { include: [/^codes\.json$/] },
  'expressjs/express': { include: [/^lib\/.*\.js$/] },
  'brianc/node-postgres': { include: [/^packages\/pg(?:-pool|-protocol|-connection-string)?\/(?:lib|src)\/.*\.[jt]s$/] },
  'postgres/postgres': { include: [/^src\/backend\/utils\/errcodes\.txt$/] },
  'sqlite/sqlite': { include: [/^src\/main\.c$/], whole: [/^src\/main\.c$/] },
  'mongodb/node-mongodb-native': { include: [/^src\/.*\.ts$/], whole: [/^src\/error\.ts$/] },
  'redis/ioredis': { include: [/^lib\/.*\.ts$/] },
  'websockets/ws': { include: [/^lib\/.*\.js$/] },
  'colinhacks/zod': { include: [/^packages\/zod\/src\/.*\.ts$/], whole: [/^packages\/zod\/src\/v[34]\/locales\/en\.ts$/] },
  'ajv-validator/ajv': { include: [/^lib\/.*\.ts$/] },
  'WiseLibs/better-sqlite3': { include: [/^lib\/.*\.js$/, /^src\/.*\.(?:cpp|hpp|lzz)$/, /^deps\/sqlite3\/sqlite3\.h$/] },
  'sebhildebrandt/systeminformation': { include: [/^lib\/.*\.js$/] },
  'sidorares/node-mysql2': { include: [/^lib\/.*\.js$/] },
  // Chromium's network error names: Electron reports page loads that fail with them (ERR_NAME_NOT_RESOLVED).
  'chromium/chromium': { include: [/^net\/base\/net_error_list\.h$/] },
};

// ---- reading a source ------------------------------------------------------------

function isGitDir(dir) {
  return existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'));
}

function git(dir, args, input) {
  return execFileSync('git', ['--git-dir', dir, ...args], { input, maxBuffer: 1 << 30 });
}

function walk(dir, base = dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, base, out);
    else out.push(relative(base, full).split('\\').join('/'));
  }
  return out;
}

/** Yields [path, text] for the files of `dir` that `accept` takes. */
function* readSource(dir, accept) {
  if (isGitDir(dir)) {
    const paths = git(dir, ['ls-tree', '-r', '-z', '--name-only', 'HEAD']).toString().split('\0').filter(accept);
    if (paths.length === 0) return;
    // One cat-file process for all files: <sha> <type> <size>\n<content>\n per object.
    const out = git(dir, ['cat-file', '--batch'], paths.map((p) => `HEAD:${p}`).join('\n') + '\n');
    let at = 0;
    for (const path of paths) {
      const eol = out.indexOf(10, at);
      const header = out.subarray(at, eol).toString();
      const size = Number(header.split(' ')[2]);
      if (header.endsWith('missing') || !Number.isFinite(size)) {
        at = eol + 1;
        continue; // files of 4 MiB and more are absent from snapshots
      }
      yield [path, out.subarray(eol + 1, eol + 1 + size).toString('utf8')];
      at = eol + 1 + size + 1;
    }
    return;
  }
  for (const path of walk(dir)) if (accept(path)) yield [path, readFileSync(join(dir, path), 'utf8')];
}

function commitOf(dir) {
  return isGitDir(dir) ? git(dir, ['rev-parse', 'HEAD']).toString().trim() : null;
}

// ---- extraction ----------------------------------------------------------------

const CALLEE = /(?:Error|Exception|Err)$|Exception|^ERR_[A-Z0-9_]+$|^(?:E|createError|reject|fail|abort)$/;
const MESSAGE_NAME =
  /^(?:message|msg|reason|errorMessage|defaultMessage|description|detail|details|text|syscall)$|(?:_MSG|_MESSAGE|Message|Msg)$/;
/** errno names (ENOENT, EAI_AGAIN), not ERR_/ER_ codes. */
const ERRNO_SHAPE = /^E(?!RR?_)[A-Z0-9_]{2,15}$/;
const LIBRARY_CODE = /^(?:ERR|UND_ERR|WS_ERR|ER|PROTOCOL|HPE|CERT)_[A-Z0-9_]{2,60}$/;

class Harvest {
  messages = [];
  cased = new Set();
  codes = new Set();
  errorTypes = new Set();
}

/** All string pieces under `node` (template parts apart, so words do not join across `${}`). */
function literalsUnder(node, out) {
  const visit = (n) => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push(n.text);
    else if (ts.isTemplateExpression(n)) {
      out.push(n.head.text);
      for (const span of n.templateSpans) {
        visit(span.expression);
        out.push(span.literal.text);
      }
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
}

function nameOf(node) {
  if (!node) return '';
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) return node.argumentExpression.text;
  if (ts.isStringLiteral(node)) return node.text;
  return '';
}

function extractJs(path, text, whole, harvest) {
  const kind = path.endsWith('ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
  if (whole) literalsUnder(file, harvest.messages);
  const visit = (node) => {
    if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.arguments) {
      const callee = node.expression.kind === ts.SyntaxKind.SuperKeyword ? 'super' : nameOf(node.expression);
      if (CALLEE.test(callee) || (callee === 'super' && insideErrorClass(node)))
        for (const a of node.arguments) literalsUnder(a, harvest.messages);
    } else if (ts.isThrowStatement(node) && node.expression) literalsUnder(node.expression, harvest.messages);
    else if ((ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node) || ts.isVariableDeclaration(node)) && node.initializer) {
      if (MESSAGE_NAME.test(nameOf(node.name))) literalsUnder(node.initializer, harvest.messages);
    } else if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind) && MESSAGE_NAME.test(nameOf(node.left))) {
      literalsUnder(node.right, harvest.messages);
    } else if (ts.isClassLike(node) && node.name && extendsError(node)) harvest.errorTypes.add(node.name.text);
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && LIBRARY_CODE.test(node.text))
      harvest.codes.add(node.text);
    // `err.code = 'MODULE_NOT_FOUND'`, `{ code: 'ECONNABORTED' }`: codes set on errors.
    const codeValue =
      ts.isPropertyAssignment(node) && nameOf(node.name) === 'code'
        ? node.initializer
        : ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && nameOf(node.left) === 'code'
          ? node.right
          : null;
    if (codeValue && ts.isStringLiteral(codeValue) && /^[A-Z][A-Z0-9_]{2,63}$/.test(codeValue.text)) harvest.codes.add(codeValue.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  // mysql2's constants/errors.js names MySQL's error codes as exports (exports.ER_DUP_ENTRY = 1062).
  for (const m of text.matchAll(/^exports\.((?:ER|WARN|CR)_[A-Z0-9_]+)\s*=/gm)) harvest.codes.add(m[1]);
}

function isAssignment(kind) {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.PlusEqualsToken;
}

function extendsError(cls) {
  for (const clause of cls.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    for (const t of clause.types) if (/(?:Error|Exception)$/.test(nameOf(t.expression))) return true;
  }
  return false;
}

function insideErrorClass(node) {
  for (let n = node.parent; n; n = n.parent) if (ts.isClassLike(n)) return extendsError(n);
  return false;
}

/** C string literal bodies in `text` from `start`, adjacent ones joined. */
const C_STRING = /"((?:[^"\\\n]|\\.)*)"/g;
function cUnescape(s) {
  return s.replace(/\\(["\\'nt])/g, (_m, c) => (c === 'n' || c === 't' ? ' ' : c));
}

function extractCpp(path, text, whole, harvest) {
  const noComments = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:"])\/\/.*$/gm, '$1');
  if (whole) {
    for (const m of noComments.matchAll(C_STRING)) harvest.messages.push(cUnescape(m[1]));
    return;
  }
  // Table entries: T(Name, "..." "..."), XX(ENOENT, "..."), V(ERR_X, "...") or V(ERR_X, TypeError).
  for (const m of noComments.matchAll(/\b(?:T|V|XX)\(\s*([A-Za-z_]\w*)\s*,\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+|\w+)\s*\)/g)) {
    const [, name, rest] = m;
    if (/^ERR_[A-Z0-9_]+$/.test(name) || ERRNO_SHAPE.test(name)) harvest.codes.add(name);
    for (const s of rest.matchAll(C_STRING)) harvest.messages.push(cUnescape(s[1]));
  }
  // String arguments of calls that throw or reject, and strings assigned to message variables.
  for (const m of noComments.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    if (!/Throw|Reject|Error|Exception|Fail/.test(m[1])) continue;
    const args = balancedArgs(noComments, m.index + m[0].length);
    for (const s of args.matchAll(C_STRING)) harvest.messages.push(cUnescape(s[1]));
  }
  for (const m of noComments.matchAll(/\b\w*(?:message|msg|error)\w*\s*(?:=|\+=|<<)\s*([^;]{1,400});/gi)) {
    for (const s of m[1].matchAll(C_STRING)) harvest.messages.push(cUnescape(s[1]));
  }
}

/** sqlite3.h: the result codes (the "Result Codes" section) and the extended ones built from them. */
function extractSqliteCodes(text, harvest) {
  const section = text.split('CAPI3REF: Result Codes')[1]?.split('CAPI3REF:')[0] ?? '';
  for (const m of section.matchAll(/#\s*define\s+(SQLITE_[A-Z]+)\s+\d+/g)) harvest.codes.add(m[1]);
  for (const m of text.matchAll(/#\s*define\s+(SQLITE_[A-Z0-9_]+)\s+\((SQLITE_[A-Z]+)\s*\|\s*\(\d+<<8\)\)/g)) {
    if (harvest.codes.has(m[2])) harvest.codes.add(m[1]);
  }
}

/** The text of a call's argument list, from just after its `(` to the matching `)`. */
function balancedArgs(text, from) {
  let depth = 1;
  for (let i = from; i < text.length && i < from + 2000; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return text.slice(from, i);
  }
  return '';
}

function extractFile(repo, path, text, harvest) {
  const config = SOURCES[repo];
  const whole = (config.whole ?? []).some((re) => re.test(path));
  if (path.endsWith('codes.json')) {
    for (const [code, phrase] of Object.entries(JSON.parse(text))) {
      harvest.messages.push(phrase);
      harvest.statuses.set(Number(code), phrase);
      // Reason phrases stand inside sentences as written: "HTTP/1.1 503 Service Unavailable".
      for (const w of phrase.match(WORD) ?? []) if (/[A-Z]/.test(w)) harvest.cased.add(w);
    }
  } else if (path.endsWith('errcodes.txt')) {
    for (const m of text.matchAll(/^([0-9A-Z]{5})\s+(?:[EWS]\s+ERRCODE_\w+\s+)?([a-z_]+)\s*$/gm)) {
      harvest.sqlstates.set(m[1], m[2]);
      harvest.messages.push(m[2].replace(/_/g, ' '));
    }
  } else if (path.endsWith('sqlite3.h')) extractSqliteCodes(text, harvest);
  else if (path.endsWith('net_error_list.h')) {
    for (const m of text.matchAll(/^NET_ERROR\(([A-Z0-9_]+), -\d+\)/gm)) {
      harvest.codes.add(`ERR_${m[1]}`);
      harvest.messages.push(m[1].replace(/_/g, ' ').toLowerCase());
    }
  } else if (path === 'include/uv.h') {
    extractCpp(path, text, whole, harvest);
    // The file system operations (UV_FS_MKDIR...) are the syscall names Node puts in messages: "mkdir".
    for (const m of text.matchAll(/\bUV_FS_([A-Z]+)\b/g))
      if (m[1] !== 'UNKNOWN' && m[1] !== 'CUSTOM') harvest.messages.push(m[1].toLowerCase());
  } else if (JS.test(path)) extractJs(path, text, whole, harvest);
  else if (CPP.test(path) || path.endsWith('.lzz')) extractCpp(path, text, whole, harvest);
}

// ---- words ---------------------------------------------------------------------

const PRINTF = /%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[sdifjoOcxXuSTQwzpgeE%]/g;
const WORD = /[A-Za-z][A-Za-z0-9]*(?:'[A-Za-z]+)?/g;
const MAX_WORD = 32;

/** The parts of an identifier-like word: camelCase, PascalCase, ACRONYMWord, digits. */
function parts(word) {
  return word.match(/[A-Z]+(?![a-z])\d*|[A-Z]?[a-z]+\d*|\d+/g) ?? [];
}

/**
 * Calls add(lowerCaseWord, isCapitalisedAtLineStart, casedFormMidSentence) for the words
 * of a message. The cased form is the word as written when it has a capital and is
 * neither the first word of a line nor of a sentence (a proper noun of the platform:
 * JSON, BigInt, Buffer).
 */
function wordsOf(message, add) {
  const text = message.replace(PRINTF, ' ');
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const before = text.slice(lineStart, m.index);
    const initial = /^[A-Z]/.test(word) && !/[A-Za-z0-9]/.test(before);
    const sentenceStart = !/[A-Za-z0-9]/.test(before) || /[.!?]\s+$/.test(before);
    const cased = /[A-Z]/.test(word) && !sentenceStart && !/'/.test(word) ? word : null;
    if (word.length > MAX_WORD) continue;
    if ((word.match(/\d/g) ?? []).length > 3) continue; // ids and versions, not words
    add(word.toLowerCase(), initial, cased);
    const p = parts(word.replace(/'.*$/, ''));
    if (p.length > 1) for (const part of p) if (/^[a-z]/i.test(part) && part.length > 1) add(part.toLowerCase(), false, null);
  }
}

function personNames() {
  const names = new Set();
  const addAll = (value) => {
    if (Array.isArray(value)) {
      for (const v of value)
        if (typeof v === 'string') for (const w of v.split(/[\s'’-]+/)) if (/^[A-Za-z]+$/.test(w)) names.add(w.toLowerCase());
    } else if (value && typeof value === 'object') for (const v of Object.values(value)) addAll(v);
  };
  for (const locale of Object.values(allLocales)) {
    const person = locale.person;
    if (!person) continue;
    addAll(person.first_name);
    addAll(person.last_name);
    addAll(person.middle_name);
  }
  return names;
}

// ---- main ------------------------------------------------------------------------

function parseArg(arg) {
  if (arg === 'nodejs/node@runtime')
    return { repo: 'nodejs/node', ref: `v${process.versions.node} (lib/ built into the node binary)`, dir: null };
  const m = /^([\w.-]+\/[\w.-]+)(?:@([\w.-]+))?=(.+)$/.exec(arg);
  if (!m) throw new Error(`gen-vocabulary: cannot read source argument ${JSON.stringify(arg)}; expected owner/name[@ref]=<dir>`);
  const [, repo, ref, dir] = m;
  if (!SOURCES[repo]) throw new Error(`gen-vocabulary: no extraction rules for ${repo}; known: ${Object.keys(SOURCES).join(', ')}`);
  if (!existsSync(dir)) throw new Error(`gen-vocabulary: ${dir} does not exist`);
  const commit = ref ?? commitOf(dir);
  if (!commit) throw new Error(`gen-vocabulary: ${dir} is not a git directory; give its commit as ${repo}@<commit>=${dir}`);
  // A plain directory holds files copied out of the repository (for a repository too big
  // to fetch whole, the files read through a code index): say so.
  return { repo, ref: isGitDir(dir) ? commit : `${commit} (files copied from it)`, dir };
}

function* runtimeNodeLib() {
  // process.binding('natives') is deprecated but is the one way to read the lib/ that
  // this very binary runs; it prints a deprecation warning at most.
  const natives = process.binding('natives');
  for (const [id, text] of Object.entries(natives)) if (typeof text === 'string') yield [`lib/${id}.js`, text];
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: node scripts/gen-vocabulary.mjs owner/name[@ref]=<dir> ... [nodejs/node@runtime]');
  process.exit(2);
}

const sources = args.map(parseArg);
const wordSources = new Map(); // word -> set of repos using it
const initialCapitals = new Set(); // words some source starts a message (or line) with, capitalised
const casedForms = new Set(); // words as written with capitals inside a sentence (JSON, BigInt)
const codes = { errno: new Set(), node: new Set(), library: new Set(), sqlite: new Set() };
const sqlstates = new Map();
const statuses = new Map();
const errorTypes = new Set();
const fileCounts = [];

for (const source of sources) {
  const config = SOURCES[source.repo];
  const accept = (p) => config.include.some((re) => re.test(p)) && !(config.exclude ?? []).some((re) => re.test(p)) && !NOT_CODE.test(p);
  const harvest = Object.assign(new Harvest(), { statuses, sqlstates });
  let files = 0;
  const entries = source.dir === null ? [...runtimeNodeLib()].filter(([p]) => accept(p)) : readSource(source.dir, accept);
  for (const [path, text] of entries) {
    files++;
    try {
      extractFile(source.repo, path, text, harvest);
    } catch (error) {
      throw new Error(`gen-vocabulary: ${source.repo} ${path}: ${error.message}`);
    }
  }
  fileCounts.push({ ...source, files, messages: harvest.messages.length });
  for (const message of harvest.messages) {
    wordsOf(message, (w, initial, cased) => {
      let set = wordSources.get(w);
      if (!set) wordSources.set(w, (set = new Set()));
      set.add(source.repo);
      if (initial) initialCapitals.add(w);
      if (cased) casedForms.add(cased);
    });
  }
  for (const code of harvest.codes) {
    if (source.repo === 'nodejs/node' && !ERRNO_SHAPE.test(code)) codes.node.add(code);
    else if (code.startsWith('SQLITE_')) codes.sqlite.add(code);
    else if (ERRNO_SHAPE.test(code)) codes.errno.add(code);
    else codes.library.add(code);
  }
  for (const t of harvest.errorTypes) errorTypes.add(t);
  for (const w of harvest.cased) casedForms.add(w);
}

// Errno names: libuv's table (above) plus this platform's and the DNS resolver's.
for (const name of Object.keys(osConstants.errno)) codes.errno.add(name);
for (const value of Object.values(dns)) if (typeof value === 'string' && /^E[A-Z]{3,}$/.test(value)) codes.errno.add(value);
// Node codes seen elsewhere (axios reuses ERR_BAD_REQUEST...) are library codes unless Node has them.
for (const code of codes.library) if (codes.node.has(code)) codes.library.delete(code);

// Words from the code names themselves (ERR_HTTP_HEADERS_SENT says "headers sent").
const names = personNames();
const vocabulary = [];
const nameWords = [];
const nameWordsAtStart = [];
let droppedNames = 0;
for (const [word, repos] of wordSources) {
  if (names.has(word)) {
    if (repos.size < 2) {
      droppedNames++;
      continue;
    }
    nameWords.push(word);
    if (initialCapitals.has(word)) nameWordsAtStart.push(word);
  }
  vocabulary.push(word);
}
vocabulary.sort();
nameWords.sort();
nameWordsAtStart.sort();
const vocabularySet = new Set(vocabulary);
const nameSet = new Set(nameWords);
const cased = [...casedForms].filter((w) => vocabularySet.has(w.toLowerCase()) && !nameSet.has(w.toLowerCase())).sort();

// Built-in error classes of the language and the platform: kept as types as they are.
for (const t of [
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'SuppressedError',
  'DOMException',
  'AbortError',
  'TimeoutError',
  'SystemError',
  'AssertionError',
])
  errorTypes.add(t);

// ---- output ----------------------------------------------------------------------

function header(what) {
  const lines = [
    `// Generated by scripts/gen-vocabulary.mjs: ${what}. Do not edit; regenerate from the sources.`,
    '// Sources (repository, commit or version, files read, message strings found):',
    ...fileCounts.map((s) => `//   ${s.repo} ${s.ref}: ${s.files} files, ${s.messages} messages`),
    '//   @faker-js/faker person names (all locales): the name-word rule',
    `//   Node ${process.version} os.constants.errno and dns codes`,
  ];
  return lines.join('\n') + '\n';
}

/** A template literal of space-separated items, wrapped so diffs stay readable. */
function wrapped(items) {
  const lines = [];
  let line = '';
  for (const item of items) {
    if (line.length + item.length + 1 > 118) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${item}` : item;
  }
  if (line) lines.push(line);
  return '`\n' + lines.join('\n') + '\n`';
}

const sorted = (set) => [...set].sort();

writeFileSync(
  join(OUT, 'words.ts'),
  `${header('words of error messages')}
/** Lower-case words found in error messages of the sources (space separated). */
export const WORDS = ${wrapped(vocabulary)};

/**
 * The words of WORDS that are also person names (faker, every locale). They survive only
 * when written all in lower case: "will" stays, "Will" (a name in prose) does not.
 */
export const NAME_WORDS = ${wrapped(nameWords)};

/**
 * The words of NAME_WORDS that a source starts a message with, capitalised ("Promise
 * resolver % is not a function", "Server selection timed out"). Capitalised, they
 * survive only there: as the first word of a line.
 */
export const NAME_WORDS_AT_START = ${wrapped(nameWordsAtStart)};

/**
 * Words as the sources write them with capitals inside a sentence (JSON, BigInt, URL).
 * A capitalised word survives in that exact form, or as the first word of a sentence;
 * elsewhere ("reported by Page") it is a placeholder.
 */
export const CASED_WORDS = ${wrapped(cased)};
`,
);

writeFileSync(
  join(OUT, 'codes.ts'),
  `${header('error codes')}
/** libuv/POSIX errno names, this platform's errno names and DNS resolver codes. */
export const ERRNO_CODES = ${wrapped(sorted(codes.errno))};

/** Node's codes: ERR_* (lib/internal/errors.js, src/node_errors.h) and the others lib/ sets (MODULE_NOT_FOUND). */
export const NODE_CODES = ${wrapped(sorted(codes.node))};

/** Codes of the libraries read (undici UND_ERR_*, ws WS_ERR_*, MySQL ER_*, axios ERR_*, Chromium's net ERR_*...). */
export const LIBRARY_CODES = ${wrapped(sorted(codes.library))};

/** SQLite result codes, primary and extended (sqlite3.h). */
export const SQLITE_CODES = ${wrapped(sorted(codes.sqlite))};

/** PostgreSQL SQLSTATE codes (errcodes.txt). */
export const SQLSTATE_CODES = ${wrapped(sorted(sqlstates.keys()))};

/** HTTP status codes and their reason phrases (jshttp/statuses), one "code phrase" per line. */
export const HTTP_STATUSES = \`
${[...statuses.entries()]
  .sort((a, b) => a[0] - b[0])
  .map(([c, p]) => `${c} ${p}`)
  .join('\n')}
\`;
`,
);

writeFileSync(
  join(OUT, 'error-types.ts'),
  `${header('error class names')}
/** Names of error classes declared by the sources and built into the platform. */
export const ERROR_TYPES = ${wrapped(sorted(errorTypes))};
`,
);

console.log(
  `vocabulary: ${vocabulary.length} words (${nameWords.length} also person names, kept in lower case only, ` +
    `${nameWordsAtStart.length} of them also capitalised at the start of a line; ${cased.length} cased forms; ` +
    `${droppedNames} person names used by one source only, dropped)`,
);
console.log(
  `codes: errno ${codes.errno.size}, node ${codes.node.size}, library ${codes.library.size}, sqlite ${codes.sqlite.size}, ` +
    `sqlstate ${sqlstates.size}, http ${statuses.size}; error types ${errorTypes.size}`,
);
for (const s of fileCounts) console.log(`  ${s.repo} ${s.ref}: ${s.files} files, ${s.messages} messages`);
