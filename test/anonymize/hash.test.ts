import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashName, hashUrl } from '../../main/anonymize/hash.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);
const HASH = /^h:[0-9a-f]{16}$/;

describe('hashName', () => {
  const names = ['', 'production', 'Production', '/home/alice/.config/candor', 'C:\\Users\\bob', 'ünïcödé ☃', 'a'.repeat(10_000)];
  it.each(names)('%j gives h: + 16 hex, stable, and not the input', (name) => {
    const hashed = hashName(key, name);
    expect(hashed).toMatch(HASH);
    expect(hashName(key, name)).toBe(hashed);
    expect(hashed).not.toContain(name || 'never');
  });

  it('is a keyed HMAC: another key gives another hash, and it is not a plain SHA-256', () => {
    expect(hashName(key, 'production')).not.toBe(hashName(otherKey, 'production'));
    const plain = createHash('sha256').update('production').digest('hex').slice(0, 16);
    expect(hashName(key, 'production')).not.toBe(`h:${plain}`);
  });

  it('matches a known HMAC-SHA-256 vector (RFC 4231 test case 2, cut to 16 hex)', () => {
    expect(hashName(Buffer.from('Jefe'), 'what do ya want for nothing?')).toBe('h:5bdcc146bf60754e');
  });

  it('separates different names (no collisions among 20,000 distinct names)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(hashName(key, `name-${i}`));
    expect(seen.size).toBe(20_000);
  });

  it('refuses an empty key', () => {
    expect(() => hashName(Buffer.alloc(0), 'x')).toThrow(/key is empty/);
  });
});

describe('hashUrl', () => {
  const rows: Array<[string, RegExp]> = [
    ['https://telemetry.example.com/v1/ingest', /^https:h:[0-9a-f]{16}$/],
    ['http://10.0.0.5:8080/collect?token=abc', /^http:h:[0-9a-f]{16}$/],
    ['wss://user:pass@host.example/socket', /^wss:h:[0-9a-f]{16}$/],
    ['file:///home/alice/out.json', /^file:h:[0-9a-f]{16}$/],
    ['not a url', HASH],
    ['', HASH],
    ['C:\\Users\\bob\\report.json', HASH], // parses as scheme c: but must not keep it
    ['alice-laptop:8080/x', HASH], // a custom "scheme" would leak a name
    ['javascript:alert(1)', HASH],
  ];
  it.each(rows)('%j -> %s', (url, format) => {
    const hashed = hashUrl(key, url);
    expect(hashed).toMatch(format);
    for (const part of ['example', 'alice', 'bob', 'token', 'pass', '10.0.0.5']) expect(hashed).not.toContain(part);
  });

  it('hashes the whole URL: any change in path, query or credentials changes the hash', () => {
    const base = hashUrl(key, 'https://api.example.com/v1?x=1');
    for (const variant of [
      'https://api.example.com/v2?x=1',
      'https://api.example.com/v1?x=2',
      'https://u:p@api.example.com/v1?x=1',
      'https://api.example.org/v1?x=1',
    ]) {
      expect(hashUrl(key, variant)).not.toBe(base);
    }
  });

  it('normalises spelling that does not change the URL', () => {
    expect(hashUrl(key, 'HTTPS://API.Example.com')).toBe(hashUrl(key, 'https://api.example.com/'));
    expect(hashUrl(key, ' https://api.example.com/ ')).toBe(hashUrl(key, 'https://api.example.com/'));
  });

  it('unparseable input gives exactly hashName of it', () => {
    expect(hashUrl(key, 'not a url')).toBe(hashName(key, 'not a url'));
  });
});
