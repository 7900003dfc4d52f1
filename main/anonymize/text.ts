import { isIPv4, isIPv6 } from 'node:net';
import os from 'node:os';
import { scrubPath, homeUserName, type PathRoots } from './path-scrub.js';
import { looksRandom } from './random-run.js';

// Free-text scrubbing for error messages, stack traces and "unavailable" reasons.
//
// The text goes through a fixed list of passes, in this order (each pass only sees
// what earlier passes left as plain text):
//   1 secrets (literal values from the context)          -> <secret>
//   2 node:internal/... module frames                    -> kept as they are
//   3 file:// URLs                                       -> path rules of 6-7
//   4 other URLs (scheme://..., credentials, queries)    -> <url>
//   5 e-mail addresses                                   -> <email>
//   6 the app root and this machine's home directories   -> <app>/rel, <home>/…/file
//   7 other absolute paths (POSIX, C:\, \\?\, UNC)       -> <home>/…/file, <path>/file
//   8 UUIDs -> <uuid>   9 MACs -> <mac>   10 IPv6 -> <ip>   11 IPv4 -> <ip>
//  12 JWTs -> <token>  13 hex ids (>= 16) -> <hex>      14 base64-like tokens -> <token>
//  15 host names: after getaddrinfo ENOTFOUND, this machine's names, and dotted
//     names ending in a common TLD                      -> <host>
//  16 user names: this machine's, and any found as /home/<x>, /Users/<x>,
//     C:\Users\<x> in the same text                    -> <user>
// URLs and e-mails go before hosts and users because they contain both; paths go
// before users for the same reason; hosts go before users because host names often
// contain the user name (bob-laptop).
//
// A replacement is parked as a placeholder made of private-use characters, so no
// later pass can match inside it (or re-scan `<app>/` as an absolute path); the
// placeholders become the tokens at the end. Input private-use characters in that
// range are replaced by U+FFFD first so text cannot forge a placeholder.
//
// Every regular expression is linear: matches start only where a lookbehind says a
// run begins, quantifiers after a run are bounded, and no quantified group can match
// the same text in two ways. A 1 MB adversarial input is part of the tests.

export interface ScrubContext {
  homeDirs: string[];
  userNames: string[];
  hostNames: string[];
  appRoot: string | null;
  secrets?: string[];
}

function unique(values: Iterable<string | undefined | null>): string[] {
  const out = new Set<string>();
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed) out.add(trimmed);
  }
  return [...out];
}

function safeUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers): the env names still apply
  }
}

/**
 * What identifies this machine, from the OS and the usual environment variables.
 * Service accounts (root, node, runner...) identify nobody and are common words in
 * error text, so they are left out of the user names.
 */
export function machineScrubContext(appRoot: string | null): ScrubContext {
  const env = process.env;
  const host = os.hostname();
  return {
    homeDirs: unique([os.homedir(), env['HOME'], env['USERPROFILE']]).filter((d) => d.replace(/[\\/]+/g, '') !== ''),
    userNames: unique([safeUserName(), env['USER'], env['USERNAME']]).filter((u) => !SERVICE_ACCOUNTS.has(u.toLowerCase())),
    hostNames: unique([host, host.split('.')[0], env['HOSTNAME'], env['COMPUTERNAME']]),
    appRoot,
  };
}

// ---- placeholders -------------------------------------------------------------

const OPEN = '\uE000';
const CLOSE = '\uE001';
const DIGIT0 = 0xe010;
const RESERVED = /[\uE000-\uE01F]/g;
const PLACEHOLDER = /\uE000([\uE010-\uE019]+)\uE001/g;

class Parking {
  private readonly values: string[] = [];
  park(text: string): string {
    const index = String(this.values.length);
    this.values.push(text);
    let encoded = '';
    for (const digit of index) encoded += String.fromCharCode(DIGIT0 + Number(digit));
    return OPEN + encoded + CLOSE;
  }
  restore(text: string): string {
    return text.replace(PLACEHOLDER, (_m, encoded: string) => {
      let index = 0;
      for (const ch of encoded) index = index * 10 + (ch.charCodeAt(0) - DIGIT0);
      return this.values[index] ?? '';
    });
  }
}

// ---- patterns ----------------------------------------------------------------

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Characters that end a path or URL in running text. */
const STOP = `\\s'"\`<>()\\[\\]{}|,;`;
const TRAIL = /[.,;:!?'"]+$/;

const NODE_FRAME = /(?<![\w.-])node:[A-Za-z_][\w/.-]*/g;
const FILE_URL = new RegExp(`(?<![\\w+.-])file:\\/\\/[^${STOP}]*`, 'gi');
// An IPv6 literal host (`http://[fe80::1]:8080/x`) is taken whole: `[` would stop the run.
const URL_RE = new RegExp(
  `(?<![\\w+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\\/\\/(?:\\[[0-9A-Fa-f:.]{2,45}(?:%[\\w.-]{1,32})?\\])?[^${STOP}]*`,
  'g',
);
const EMAIL = /(?<![\w.+%-])[\w.+%-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,63}(?![\w-])/g;
// A path starts at `/`, `\\` or `X:\`, not inside a word, a URL, or right after a token
// (`<home>/…/x.js` must stay as it is on a second pass). After `=` it does start:
// `HOME=/home/bob`, `--data-dir=/home/bob/x`.
const POSIX_PATH = new RegExp(`(?<![\\w.~\\-/\\\\:@%+…]|<(?:app|home|path)>)\\/[^${STOP}\\/][^${STOP}]*`, 'g');
const WIN_PATH = new RegExp(`(?<![\\w\\\\/])(?:\\\\\\\\[?.]\\\\)?[A-Za-z]:[\\\\/][^${STOP}]*`, 'g');
// \\server\share and its long-path form \\?\UNC\server\share.
const UNC_PATH = new RegExp(`(?<![\\w\\\\/])\\\\\\\\(?:[?.]\\\\[Uu][Nn][Cc]\\\\)?[^${STOP}\\\\?.][^${STOP}]*`, 'g');
const UUID = /(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/g;
const MAC =
  /(?<![\w:.-])(?:[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(?:\1[0-9a-fA-F]{2}){4}|[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})(?![\w-]|:[0-9A-Fa-f]|\.\w)/g;
// IPv6 candidates: a bounded run of hex digits, colons and dots (for ::ffff:1.2.3.4)
// ending in a hex digit, optionally with a zone; node's isIPv6 decides. That keeps
// 12:30:45 and std::vector (not hex-only, or not valid) out. A colon may follow
// when it does not go on with hex ("from fe80::1: refused"); the MAC pattern the same.
const IPV6 = /(?<![\w:.%])[0-9A-Fa-f:.]{1,44}[0-9A-Fa-f](?:%[\w.-]{1,32})?(?![\w%]|:[0-9A-Fa-f:]|\.\w)/g;
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)/g;
const JWT = /(?<![\w-])eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g;
const HEX = /(?<!\w)[0-9a-fA-F]{16,}(?!\w)/g;
const TOKEN = /(?<![\w+/=-])[\w+/-]{24,}={0,2}(?![\w+/=-])/g;
const ENOTFOUND = /(?<=\b(?:ENOTFOUND|EAI_AGAIN) )[^\s'"`:,;()\uE000]+/g;
// Dotted names ending in a TLD. Strong TLDs (com, org, country codes) count in any
// dotted name. Weak ones are also JS property names (logger.info, this.app.dev,
// config.local), so they count only with a hyphen or digit in a label (db-7.internal)
// or four or more labels (api.eu.service.io); nas.home.lan is a known miss, but the
// machine's own host names are caught by name. File-extension TLDs (.sh .py .pl .rs
// .md .so) and English words (in, it, at, be, no, us, me) are left out.
const STRONG_TLDS = 'com|net|org|edu|gov|mil|arpa|co|uk|de|fr|nl|eu|ca|au|jp|cn|ru|ch|se|es|dk|fi|ie|nz|br';
const WEAK_TLDS = 'io|dev|app|info|int|biz|local|localdomain|internal|lan|home|corp|intranet|cloud';
const FQDN = new RegExp(`(?<![\\w.-])(?:[A-Za-z0-9-]{1,63}\\.){1,10}(?:(${STRONG_TLDS})|${WEAK_TLDS})(?![\\w-]|\\.\\w)`, 'gi');

function isHostName(match: string, strong: string | undefined): boolean {
  if (strong !== undefined) return true;
  return match.split('.').length >= 4 || /[-0-9]/.test(match);
}

// Names that are accounts of a tool, not a person: harvesting them from foreign home
// paths (/home/node in Docker, /home/runner in CI) would mangle every "node" word.
const SERVICE_ACCOUNTS = new Set([
  'node',
  'runner',
  'ubuntu',
  'root',
  'admin',
  'administrator',
  'user',
  'users',
  'app',
  'debian',
  'ec2-user',
  'pi',
  'vagrant',
  'docker',
  'shared',
  'public',
  'default',
  'guest',
  'home',
  'www',
  'www-data',
  'nobody',
  'circleci',
  'travis',
  'jenkins',
  'gitlab-runner',
  'localhost',
]);
const NOT_HOSTS = new Set(['localhost', 'localhost.localdomain']);

// The names of the tokens this file writes. A second pass must not take the `user` of
// `<user>` for a user called "user"; any other name in angle brackets
// (`Author: <bob>`) is still a name.
const TOKEN_NAMES = 'app|home|path|host|user|ip|mac|uuid|url|email|hex|token|secret';

function wordRegExp(words: string[], suffix = ''): RegExp | null {
  const usable = unique(words)
    .filter((w) => w.length >= 2)
    .sort((a, b) => b.length - a.length);
  if (usable.length === 0) return null;
  return new RegExp(
    `(?<![\\p{L}\\p{N}_])(?<!<(?=(?:${TOKEN_NAMES})>))(?:${usable.map(escapeRegExp).join('|')})${suffix}(?![\\p{L}\\p{N}_])`,
    'giu',
  );
}

/** The domain labels after a known host name (`.corp.example.com`): they identify the organisation too. */
const DOMAIN_LABELS = '(?:\\.[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?)*';

/** Matches a known root (app root, home dirs) followed by the rest of its path. */
function rootsRegExp(roots: string[]): RegExp | null {
  const usable = roots
    .map((r) => r.replace(/[\\/]+$/, ''))
    .filter((r) => r.split(/[\\/]+/).filter(Boolean).length >= 1 && r.length >= 2)
    .sort((a, b) => b.length - a.length);
  if (usable.length === 0) return null;
  const alternatives = usable.map((r) =>
    r
      .split(/[\\/]+/)
      .map(escapeRegExp)
      .join('[\\\\/]+'),
  );
  return new RegExp(`(?<![\\w.-])(?:${alternatives.join('|')})(?![^${STOP}\\\\/])(?:[\\\\/][^${STOP}]*)?`, 'gi');
}

function fileUrlToPath(url: string): string | null {
  let rest = url.slice('file://'.length);
  if (/^localhost(?=\/)/i.test(rest)) rest = rest.slice('localhost'.length);
  if (!rest.startsWith('/')) return `\\\\${rest.replace(/\//g, '\\')}`; // file://server/share: UNC
  try {
    rest = decodeURIComponent(rest);
  } catch {
    // malformed escapes: scrub the text as it is
  }
  return /^\/[A-Za-z]:/.test(rest) ? rest.slice(1) : rest;
}

// ---- the passes ----------------------------------------------------------------

type Replacer = (match: string) => string;

function withTrailing(match: string, replace: Replacer): string {
  const trail = TRAIL.exec(match)?.[0] ?? '';
  const core = trail ? match.slice(0, -trail.length) : match;
  return core ? replace(core) + trail : match;
}

interface ContextPatterns {
  known: RegExp | null;
  hosts: RegExp | null;
  users: RegExp | null;
}

// A context's patterns are built once per context object: building them is most of the
// cost of scrubbing a short text, and a context lives as long as an agent.
const patternCache = new WeakMap<ScrubContext, ContextPatterns>();

function contextPatterns(ctx: ScrubContext): ContextPatterns {
  let cached = patternCache.get(ctx);
  if (cached === undefined) {
    cached = {
      known: rootsRegExp([...(ctx.appRoot ? [ctx.appRoot] : []), ...ctx.homeDirs]),
      hosts: wordRegExp(
        ctx.hostNames.filter((h) => !NOT_HOSTS.has(h.toLowerCase())),
        DOMAIN_LABELS,
      ),
      users: wordRegExp(ctx.userNames),
    };
    patternCache.set(ctx, cached);
  }
  return cached;
}

/** Scrub free text: identifying parts become typed tokens (see the pass list above). */
export function scrubText(text: string, ctx: ScrubContext): string {
  const parking = new Parking();
  const token = (name: string): string => parking.park(`<${name}>`);
  const roots: PathRoots = { appRoot: ctx.appRoot, homeDirs: ctx.homeDirs };
  const pathOut = (path: string): string => {
    const scrubbed = scrubPath(path, roots);
    return parking.park(scrubbed.token) + scrubbed.rest;
  };

  let out = text.replace(RESERVED, '\uFFFD');

  // User names found in home paths anywhere in the text, before any pass rewrites them.
  const harvested: string[] = [];
  for (const re of [POSIX_PATH, WIN_PATH, UNC_PATH]) {
    for (const m of out.matchAll(re)) {
      const name = homeUserName(m[0]);
      if (name !== null && !SERVICE_ACCOUNTS.has(name.toLowerCase())) harvested.push(name);
    }
  }

  for (const secret of unique(ctx.secrets ?? [])) out = out.split(secret).join(token('secret'));
  out = out.replace(NODE_FRAME, (m) => parking.park(m));
  out = out.replace(FILE_URL, (m) =>
    withTrailing(m, (core) => {
      const path = fileUrlToPath(core);
      return path === null ? token('url') : pathOut(path);
    }),
  );
  // The scheme alone (`see http://`) is not a URL: the run after `://` may be empty.
  out = out.replace(URL_RE, (m) => (m.endsWith('://') ? m : withTrailing(m, () => token('url'))));
  out = out.replace(EMAIL, () => token('email'));

  const { known, hosts, users: machineUsers } = contextPatterns(ctx);
  if (known) out = out.replace(known, (m) => withTrailing(m, pathOut));
  for (const re of [WIN_PATH, UNC_PATH, POSIX_PATH]) out = out.replace(re, (m) => withTrailing(m, pathOut));

  out = out.replace(UUID, () => token('uuid'));
  out = out.replace(MAC, () => token('mac'));
  out = out.replace(IPV6, (m) => (/[0-9a-fA-F]/.test(m) && isIPv6(m) ? token('ip') : m));
  out = out.replace(IPV4, (m) => (isIPv4(m) ? token('ip') : m));
  out = out.replace(JWT, () => token('token'));
  out = out.replace(HEX, () => token('hex'));
  out = out.replace(TOKEN, (m) => (looksRandom(m) ? token('token') : m));

  out = out.replace(ENOTFOUND, () => token('host'));
  if (hosts) out = out.replace(hosts, () => token('host'));
  out = out.replace(FQDN, (m, strong: string | undefined) => (isHostName(m, strong) ? token('host') : m));

  // Names harvested from this text's home paths need their own pattern; the machine's are built once.
  const users = harvested.length > 0 ? wordRegExp([...ctx.userNames, ...harvested]) : machineUsers;
  if (users) out = out.replace(users, () => token('user'));

  return parking.restore(out);
}
