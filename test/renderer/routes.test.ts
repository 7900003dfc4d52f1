import { describe, expect, it } from 'vitest';
import { calls, type CallName } from '../../main/api.js';
import { queryString, routes } from '../../renderer/routes.js';
import { takeEvents } from '../../renderer/status-stream.js';

describe('renderer HTTP route table', () => {
  it('names exactly the calls of the contract, with the same method and path', () => {
    const fromContract = Object.fromEntries((Object.keys(calls) as CallName[]).map((name) => [name, { ...calls[name].http }]));
    expect(routes).toEqual(fromContract);
  });

  it('writes GET inputs as query parameters: decimal numbers, true/false', () => {
    expect(queryString({ details_level: 2, anonymize: true })).toBe('?details_level=2&anonymize=true');
    expect(queryString({ anonymize: false, sha256: 'ab' })).toBe('?anonymize=false&sha256=ab');
    expect(queryString({})).toBe('');
    expect(() => queryString({ nested: { a: 1 } })).toThrow(/nested/);
  });
});

describe('renderer status stream parsing', () => {
  it('takes complete data events and keeps the partial rest', () => {
    const seen: string[] = [];
    const rest = takeEvents('data: {"a":1}\n\n: keep-alive\n\ndata: {"b"', (data) => seen.push(data));
    expect(seen).toEqual(['{"a":1}']);
    expect(rest).toBe('data: {"b"');
    const rest2 = takeEvents(`${rest}:2}\r\n\r\n`, (data) => seen.push(data));
    expect(seen).toEqual(['{"a":1}', '{"b":2}']);
    expect(rest2).toBe('');
  });
});
