import { createHmac } from 'node:crypto';

// Keyed hashes for user-chosen names. Format: `h:` + the first 16 hex characters
// (64 bits) of HMAC-SHA-256(key, value). 64 bits keep collisions negligible among the
// few thousand names one install ever hashes (birthday bound ~2^32), and the secret
// key, not the length, is what stops a dictionary attack from outside.

export const HASH_PREFIX = 'h:';
const HEX_CHARS = 16;

export function hashName(key: Buffer, value: string): string {
  if (key.length === 0) throw new Error('hashName: the key is empty');
  return HASH_PREFIX + createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, HEX_CHARS);
}

// Schemes worth keeping: they tell "plain http endpoint" from "https" and nothing
// about the user. Anything else (a custom scheme, or `C:` from a Windows path that
// happens to parse as a URL) is hashed as a plain name.
const KEPT_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:', 'unix:']);

/**
 * A URL hashed whole, scheme kept: `https:h:<16 hex>`. The hash is over the URL as
 * WHATWG URL normalises it, so `HTTPS://Example.com` and `https://example.com/` agree.
 * Anything that does not parse as a URL with a well-known scheme gives hashName's form.
 */
export function hashUrl(key: Buffer, url: string): string {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url.trim());
  } catch {
    parsed = null;
  }
  if (parsed === null || !KEPT_SCHEMES.has(parsed.protocol)) return hashName(key, url);
  return parsed.protocol + hashName(key, parsed.href);
}
