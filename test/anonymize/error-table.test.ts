import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_FIXTURE, FIXTURE_ROOTS } from '../../main/anonymize/error-fixture.js';
import { safeError } from '../../main/anonymize/error-report.js';
import { currentErrorTable, renderErrorTable } from '../../main/anonymize/error-table.js';
import { isSafeTemplate } from '../../main/anonymize/error-template.js';

// The 30 real messages of docs/privacy.md: what leaves keeps the words that say what went
// wrong, and the table in the docs is the one the generator writes.

const sent = ERROR_FIXTURE.map((e) => safeError(e, { roots: FIXTURE_ROOTS }));

describe('the error fixture', () => {
  it('holds 30 messages, each with its source named', () => {
    expect(ERROR_FIXTURE).toHaveLength(30);
    for (const e of ERROR_FIXTURE) expect(e.cite).toMatch(/^[\w.-]+\/[\w.-]+ \S/);
  });

  it('every template is safe', () => {
    for (const s of sent) expect(isSafeTemplate(s.message), s.message).toBe(true);
  });

  it('keeps the words that say what went wrong', () => {
    const messages = sent.map((s) => s.message).join('\n');
    for (const phrase of [
      'no such file or directory, open',
      'permission denied, mkdir',
      'operation not permitted, rename',
      'too many open files',
      'connect ECONNREFUSED',
      'getaddrinfo ENOTFOUND',
      'address already in use',
      'socket hang up',
      'Cannot read properties of undefined (reading',
      'is not a function',
      'is not defined',
      'is not valid JSON',
      'Maximum call stack size exceeded',
      'cannot be invoked without',
      'argument must be of type string. Received undefined',
      'Cannot find package',
      'Cannot find module',
      'Cannot set headers after they are sent to the client',
      'Connect Timeout Error',
      'Request failed with status code 404',
      'timeout of <number>ms exceeded',
      'path must be absolute or specify root to res.sendFile',
      'Connection terminated unexpectedly',
      'database is locked',
      'Server selection timed out after <number> ms',
      'Reached the max retries per request limit',
      'Invalid input: expected string, received undefined',
      'loading',
      'Error invoking remote method',
    ])
      expect(messages).toContain(phrase);
  });

  it('keeps the type and a known code where the error had one', () => {
    expect(sent.map((s) => s.type)).not.toContain('<type>');
    expect(sent.filter((s) => s.code !== null).length).toBeGreaterThanOrEqual(18);
  });

  it('leaves out what identifies the machine or its user', () => {
    const out = JSON.stringify(sent).toLowerCase();
    for (const secret of [
      'jmueller',
      'anna.schmidt',
      'jörg',
      'müller',
      'contoso',
      'steuererklärung',
      '10.0.12.7',
      'db-7',
      'customeremail',
      'joergmueller',
      'rechnungen',
    ])
      expect(out, secret).not.toContain(secret);
  });
});

describe('docs/privacy.md', () => {
  it('carries the error table as the generator writes it (run npm run build && node scripts/gen-error-table.mjs)', () => {
    const doc = readFileSync(new URL('../../docs/privacy.md', import.meta.url), 'utf8');
    expect(currentErrorTable(doc)).toBe(renderErrorTable());
  });
});
