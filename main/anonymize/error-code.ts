import { httpStatuses, isKnownCode, isSqlstate } from './error-vocabulary.js';

// The code of an error, from a known list only: libuv/POSIX errno names (ENOENT,
// ECONNREFUSED), Node's ERR_* codes, codes of the libraries the vocabulary was built
// from (UND_ERR_*, WS_ERR_*, MySQL ER_*, axios ERR_*, SQLITE_*), PostgreSQL SQLSTATEs
// (as SQLSTATE_23505) and HTTP statuses (as HTTP_404). An unknown code is null: codes
// an app invents may carry anything.

const CODE_TOKEN = /\b[A-Z][A-Z0-9_]{1,63}\b/g;
// Where a message says a number is an HTTP status.
const STATUS_IN_MESSAGE = [
  /\bstatus(?:\s*code)?\s*[:=]?\s*(\d{3})\b/i,
  /\bstatusCode\s*[:=]?\s*(\d{3})\b/,
  /\bHTTP(?:\/\d(?:\.\d)?)?\s+(\d{3})\b/,
  /\bresponse(?:\s*code)?\s*:\s*(\d{3})\b/i,
  /^(\d{3})\s+[A-Z][a-z]/,
];

function httpCode(n: number): string | null {
  return Number.isInteger(n) && httpStatuses().has(n) ? `HTTP_${n}` : null;
}

function fromString(code: string): string | null {
  const c = code.trim();
  if (isKnownCode(c)) return c;
  if (isSqlstate(c)) return `SQLSTATE_${c}`;
  if (/^\d{3}$/.test(c)) return httpCode(Number(c));
  if (/^(?:HTTP|SQLSTATE)_/.test(c)) return fromString(c.replace(/^(?:HTTP|SQLSTATE)_/, '')) === null ? null : c;
  return null;
}

/**
 * The error's code when it is on a known list: from its `code` property when that is
 * given (a string, or a number that is an HTTP status), else the first known code named
 * in the message, else an HTTP status the message names as one.
 */
export function knownErrorCode(code: unknown, message: string): string | null {
  if (typeof code === 'string' && code !== '') {
    const known = fromString(code);
    if (known !== null) return known;
  } else if (typeof code === 'number') {
    const known = httpCode(code);
    if (known !== null) return known;
  }
  if (typeof message !== 'string' || message === '') return null;
  const text = message.length > 4000 ? message.slice(0, 4000) : message;
  for (const m of text.matchAll(CODE_TOKEN)) if (isKnownCode(m[0])) return m[0];
  for (const re of STATUS_IN_MESSAGE) {
    const m = re.exec(text);
    if (m) {
      const known = httpCode(Number(m[1]));
      if (known !== null) return known;
    }
  }
  return null;
}
