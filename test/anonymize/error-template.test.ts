import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorTemplate, isSafeTemplate, MAX_TEMPLATE_CHARS, PLACEHOLDERS } from '../../main/anonymize/error-template.js';

// errorTemplate keeps the words that say what went wrong and turns everything else
// into a typed placeholder; isSafeTemplate checks the result is made of allowed parts.

const SEED = 20261129;

describe('errorTemplate keeps what went wrong', () => {
  it.each([
    [
      "ENOENT: no such file or directory, open '/home/jmueller/Documents/Steuer 2024.pdf'",
      "ENOENT: no such file or directory, open '<path>'",
    ],
    ["EACCES: permission denied, mkdir 'C:\\Users\\Jörg Müller\\OneDrive - Contoso GmbH\\x'", "EACCES: permission denied, mkdir '<path>'"],
    ['connect ECONNREFUSED 10.0.12.7:5432', 'connect ECONNREFUSED <ip>'],
    ['connect ECONNREFUSED ::1:3000', 'connect ECONNREFUSED <ip>'],
    ['connect ECONNREFUSED [2001:db8::7]:443', 'connect ECONNREFUSED <ip>'],
    ['getaddrinfo ENOTFOUND db-7.prod.contoso.internal', 'getaddrinfo ENOTFOUND <host>'],
    ["Cannot read properties of undefined (reading 'customerEmail')", "Cannot read properties of undefined (reading '<name>')"],
    ['Maximum call stack size exceeded', 'Maximum call stack size exceeded'],
    ['The "path" argument must be of type string. Received undefined', 'The "path" argument must be of type string. Received undefined'],
    ['Request failed with status code 404', 'Request failed with status code 404'],
    ['Unexpected server response: 502', 'Unexpected server response: 502'],
    ['timeout of 5000ms exceeded', 'timeout of <number>ms exceeded'],
    ['database is locked', 'database is locked'],
    ["Cannot find package '@contoso/billing' imported from /srv/app/server.js", "Cannot find package '<package>' imported from <path>"],
    ['Promise resolver undefined is not a function', 'Promise resolver undefined is not a function'],
  ])('%s', (message, expected) => {
    expect(errorTemplate(message)).toBe(expected);
  });

  it('is empty for an empty message and for what is not a string', () => {
    expect(errorTemplate('')).toBe('');
    expect(errorTemplate(undefined as unknown as string)).toBe('');
  });
});

describe('errorTemplate turns each shape of personal data into its placeholder', () => {
  it.each([
    ['send to jane.doe@contoso.com now', 'send to <email> now'],
    ['see https://contoso.sharepoint.com/sites/Finance?x=1, then', 'see <url>, then'],
    ['see contoso.sharepoint.com/sites/Finance;', 'see <url>;'],
    ['remote git@github.com:contoso/billing.git', 'remote <url>'],
    ['id 123e4567-e89b-12d3-a456-426614174000', 'id <uuid>'],
    ['mac 00:1a:2b:3c:4d:5e', 'mac <mac>'],
    ['mac 0:1a:2b:3c:4d:5e', 'mac <mac>'],
    ['mac 001a.2b3c.4d5e', 'mac <mac>'],
    ['at fe80::1%eth0', 'at <ip>'],
    ['user CONTOSO\\jmueller', 'user <user>'],
    ['card 4111-1111-1111-1111', 'card <number>'],
    ['card 4111 1111 1111 1111', 'card <number>'],
    ['call +49 (0)170 1234567', 'call <number>'],
    ['hash 9f86d081884c7d65', 'hash <hex>'],
    ['addr 0x7ffd5f1c', 'addr <hex>'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'token <token>'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG', 'aws_secret_access_key=<value>'],
    ['GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'GITHUB_TOKEN=<value>'],
    ['Server=db;Password=hunter2', 'Server=<value>;Password=<value>'],
    ['Authorization: Bearer abc.def', 'Authorization: <value> <value>'],
    ['password: hunter2', 'password: <value>'],
  ])('%s', (message, expected) => {
    expect(errorTemplate(message)).toBe(expected);
  });

  it('a path with spaces is one placeholder, quoted or not', () => {
    expect(errorTemplate("open '/Users/anna/Library/Application Support/Invoicer/x.json'")).toBe("open '<path>'");
    expect(errorTemplate('open /Users/anna/Library/Application Support/Invoicer/x.json failed')).toBe('open <path> failed');
    expect(errorTemplate('at C:\\Users\\Jörg Müller\\OneDrive - Contoso GmbH\\a.txt now')).toBe('at <path> now');
  });

  it('a number the text does not call an HTTP status stays a number', () => {
    expect(errorTemplate('retried 404 times')).toBe('retried <number> times');
    expect(errorTemplate('HTTP 503 Service Unavailable')).toBe('HTTP 503 Service Unavailable');
  });

  it('a quoted phrase is kept only when all its words are', () => {
    expect(errorTemplate('expected "not found"')).toBe('expected "not found"');
    expect(errorTemplate('expected "Jane Doe"')).toBe('expected "<quoted>"');
  });

  it('person names in prose become placeholders, common words in lower case stay', () => {
    expect(errorTemplate('Will Smith reported that Page failed')).toBe('<word> <word> reported that <word> failed');
    expect(errorTemplate('the upload will fail')).toBe('the upload will fail');
  });

  it('a name-word that starts a line stays only when a lower-case word follows (a message start, not a person)', () => {
    expect(errorTemplate('No such module')).toBe('No such module');
    expect(errorTemplate('Max Müller failed')).toBe('<word> <word> failed');
    expect(errorTemplate('Max: failed')).toBe('<word>: failed');
    expect(isSafeTemplate('No such module')).toBe(true);
    expect(isSafeTemplate('Max Smith')).toBe(false);
    expect(isSafeTemplate('Max <word>')).toBe(false);
  });

  it('the message after a prefix (`Error: `, `TypeError: `) starts a sentence; a person name there still does not pass', () => {
    expect(errorTemplate("Error: Cannot find module '/home/x/app.js'")).toBe("Error: Cannot find module '<path>'");
    expect(errorTemplate('TypeError: Cannot read properties of undefined')).toBe('TypeError: Cannot read properties of undefined');
    expect(errorTemplate('User: Smith failed')).toBe('User: <word> failed');
    expect(errorTemplate('Error: Will Smith failed')).toBe('Error: <word> <word> failed');
    // Only the colon after a line's first word: later ones are mid-sentence.
    expect(errorTemplate('request failed: Cannot continue')).toBe('request failed: <word> continue');
    expect(isSafeTemplate('Error: Cannot find module')).toBe(true);
    expect(isSafeTemplate('failed here: Cannot')).toBe(false);
  });

  it("words an app declares survive, denied words (this machine's user) never", () => {
    const ctx = { declared: { templates: ['Invoice {id} could not be synced to {target}'], words: ['Ledger'] } };
    expect(errorTemplate('Invoice 2024-117 could not be synced to Ledger', ctx)).toBe('Invoice <number> could not be synced to Ledger');
    expect(errorTemplate('Invoice 2024-117 could not be synced to Ledger')).toBe('<word> <number> could not be <word> to <word>');
    expect(errorTemplate('user admin not found', { denied: ['admin'] })).toBe('user <word> not found');
  });

  it('non-ASCII letters, control and invisible characters never survive or join tokens', () => {
    expect(errorTemplate('Müller\u200Bfailed')).toBe('<word> failed');
    expect(errorTemplate('no\u0000such')).toBe('no such');
    expect(errorTemplate('no\u00A0such file')).toBe('no such file');
  });

  it('cuts long templates with a mark', () => {
    const out = errorTemplate('failed '.repeat(400));
    expect(out.length).toBeLessThanOrEqual(MAX_TEMPLATE_CHARS + 1);
    expect(out.endsWith('…')).toBe(true);
    expect(isSafeTemplate(out)).toBe(true);
  });
});

describe('isSafeTemplate', () => {
  it('accepts allowed words, codes, statuses and placeholders', () => {
    expect(isSafeTemplate("ENOENT: no such file or directory, open '<path>'")).toBe(true);
    expect(isSafeTemplate('Request failed with status code 404')).toBe(true);
    expect(isSafeTemplate(PLACEHOLDERS.map((p) => `<${p}>`).join(' '))).toBe(true);
  });

  it('rejects names, raw numbers, unknown placeholders and non-ASCII text', () => {
    expect(isSafeTemplate('reported by Smith')).toBe(false);
    expect(isSafeTemplate('reported by Will')).toBe(false);
    expect(isSafeTemplate('call 1234567')).toBe(false);
    expect(isSafeTemplate('<jmueller> failed')).toBe(false);
    expect(isSafeTemplate('Jörg failed')).toBe(false);
    expect(isSafeTemplate('failed\u200B')).toBe(false);
  });
});

describe('errorTemplate properties', () => {
  it(`for any string, the template is safe and templating it again changes nothing (seed ${SEED})`, () => {
    console.info(`error-template property seed: ${SEED}`);
    const text = fc.oneof(
      fc.string({ maxLength: 300, unit: 'binary' }),
      fc.string({ maxLength: 300, unit: fc.constantFrom(...'abcXYZ019 ._-/\\:@=;&\'"`()[]{}<>%+\n\t'.split('')) }),
      fc
        .array(
          fc.constantFrom(
            'ENOENT',
            'open',
            'failed',
            'Will',
            'Smith',
            '/home/x',
            'C:\\Users\\y z',
            '10.0.0.1',
            '::1',
            "'",
            '"',
            '=',
            'status',
            '404',
            'x@y.z',
          ),
          { maxLength: 20 },
        )
        .map((w) => w.join(' ')),
    );
    fc.assert(
      fc.property(text, (message) => {
        const out = errorTemplate(message);
        expect(isSafeTemplate(out), JSON.stringify({ message, out })).toBe(true);
        expect(errorTemplate(out), JSON.stringify({ message, out })).toBe(out);
      }),
      { numRuns: 5000, seed: SEED },
    );
  });
});
