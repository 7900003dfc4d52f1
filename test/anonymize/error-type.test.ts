import { describe, expect, it } from 'vitest';
import { safeErrorType, UNKNOWN_TYPE } from '../../main/anonymize/error-type.js';

// An error type leaves when it is a known error class or made of vocabulary words.

describe('safeErrorType', () => {
  it.each(['Error', 'TypeError', 'RangeError', 'AggregateError', 'AbortError', 'DOMException', 'SystemError'])('built in: %s', (t) => {
    expect(safeErrorType(t)).toBe(t);
  });

  it.each(['AxiosError', 'SqliteError', 'MongoServerSelectionError', 'ConnectTimeoutError', 'MaxRetriesPerRequestError', 'ZodError'])(
    'declared by a library the vocabulary was built from: %s',
    (t) => {
      expect(safeErrorType(t)).toBe(t);
    },
  );

  it.each(['ValidationError', 'NotFoundError', 'DatabaseConnectionError', 'HTTP_ERROR', 'errors.ValidationError'])(
    'made of vocabulary words: %s',
    (t) => {
      expect(safeErrorType(t)).toBe(t);
    },
  );

  it('the types describeThrown gives to values that are not errors stay', () => {
    for (const t of ['string', 'number', 'null', 'symbol', 'function', 'Object', 'unknown']) expect(safeErrorType(t)).toBe(t);
  });

  it("Node's name with a code keeps the class only", () => {
    expect(safeErrorType('TypeError [ERR_INVALID_ARG_TYPE]')).toBe('TypeError');
  });

  it.each(['ContosoLedgerError', 'JoergMuellerError', 'SmithError', 'Error: jane@contoso.com', 'Fehler_Müller', '', ' ', 'a'.repeat(200)])(
    'anything else is <type>: %s',
    (t) => {
      expect(safeErrorType(t)).toBe(UNKNOWN_TYPE);
    },
  );

  it('a word the app declares makes its own class names pass', () => {
    expect(safeErrorType('LedgerSyncError', { declared: { words: ['ledger', 'sync'] } })).toBe('LedgerSyncError');
    expect(safeErrorType('NotFoundError', { denied: ['found'] })).toBe(UNKNOWN_TYPE);
  });
});
