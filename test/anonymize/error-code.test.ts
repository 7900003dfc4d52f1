import { describe, expect, it } from 'vitest';
import { knownErrorCode } from '../../main/anonymize/error-code.js';

// Codes leave only from known lists; an app's own codes may carry anything.

describe('knownErrorCode', () => {
  it.each([
    ['ENOENT', 'ENOENT'],
    ['ECONNREFUSED', 'ECONNREFUSED'],
    ['EAI_AGAIN', 'EAI_AGAIN'],
    ['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_TYPE'],
    ['MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'],
    ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'],
    ['WS_ERR_INVALID_CLOSE_CODE', 'WS_ERR_INVALID_CLOSE_CODE'],
    ['ER_DUP_ENTRY', 'ER_DUP_ENTRY'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_UNIQUE'],
    ['ERR_NAME_NOT_RESOLVED', 'ERR_NAME_NOT_RESOLVED'],
    ['23505', 'SQLSTATE_23505'],
    ['HTTP_404', 'HTTP_404'],
  ])('the code property %s gives %s', (code, expected) => {
    expect(knownErrorCode(code, '')).toBe(expected);
  });

  it('a numeric code that is an HTTP status gives HTTP_n; other numbers give nothing', () => {
    expect(knownErrorCode(503, '')).toBe('HTTP_503');
    expect(knownErrorCode(-2, '')).toBeNull();
    expect(knownErrorCode(1234, '')).toBeNull();
  });

  it('an unknown code gives null, and the message is read instead', () => {
    expect(knownErrorCode('CONTOSO_LEDGER_LOCKED', 'ledger locked')).toBeNull();
    expect(knownErrorCode('JMUELLER_42', '')).toBeNull();
    expect(knownErrorCode('HTTP_999', '')).toBeNull();
    expect(knownErrorCode('CONTOSO_LEDGER_LOCKED', "EBUSY: resource busy or locked, open 'x'")).toBe('EBUSY');
  });

  it('without a code property, the first known code of the message, else a status the message names', () => {
    expect(knownErrorCode(undefined, "ENOENT: no such file or directory, open '/x'")).toBe('ENOENT');
    expect(knownErrorCode(undefined, 'connect ECONNREFUSED 127.0.0.1:5432')).toBe('ECONNREFUSED');
    expect(knownErrorCode(null, 'Request failed with status code 404')).toBe('HTTP_404');
    expect(knownErrorCode(undefined, 'Unexpected server response: 502')).toBe('HTTP_502');
    expect(knownErrorCode(undefined, 'HTTP/1.1 401 Unauthorized')).toBe('HTTP_401');
    expect(knownErrorCode(undefined, 'statusCode: 429')).toBe('HTTP_429');
  });

  it('numbers the message does not call a status, and code-shaped words not on a list, give null', () => {
    expect(knownErrorCode(undefined, 'retried 404 times')).toBeNull();
    expect(knownErrorCode(undefined, 'JOHN_SMITH failed')).toBeNull();
    expect(knownErrorCode(undefined, '')).toBeNull();
  });
});
