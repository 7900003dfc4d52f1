import { describe, expect, it } from 'vitest';
import {
  EXTERNAL,
  MAX_FRAMES,
  PACKAGE,
  parseStackFrames,
  safeFrame,
  safeFrames,
  safeFunctionName,
  UNKNOWN_FN,
  type FrameRoots,
} from '../../main/anonymize/frames.js';
import { isPopularPackage, popularPackageCount } from '../../main/anonymize/package-names.js';

// Frames leave as an identifier and a location that names the app's own file, a popular
// package, a node: module, or nothing.

const roots: FrameRoots = {
  appRoots: [
    '/home/jmueller/apps/invoicer',
    'C:\\Users\\Jörg Müller\\AppData\\Local\\Programs\\invoicer\\resources\\app.asar',
    'http://127.0.0.1:8123',
  ],
  denied: ['jmueller', 'anna'],
};

describe('parseStackFrames', () => {
  it('reads the V8 frame forms', () => {
    const frames = parseStackFrames(
      [
        "TypeError: Cannot read properties of undefined (reading 'x')",
        '    at Object.openSync (node:fs:573:18)',
        '    at /srv/app/dist/ipc.js:88:16',
        '    at async Promise.all (index 0)',
        '    at new InvoiceStore (C:\\Users\\x\\app\\store.js:10:5)',
        '    at eval (eval at compile (file:///srv/app/dist/tpl.js:5:3), <anonymous>:1:1)',
        '    at render (http://127.0.0.1:8123/assets/index.js?v=3:12:3051)',
        '    at Object.get foo [as foo] (/srv/app/dist/x.js:1:2)',
        '    at native',
        'not a frame',
      ].join('\n'),
    );
    expect(frames.map((f) => [f.fn, f.isAsync, f.isConstructor, f.isEval, f.location, f.line, f.col])).toEqual([
      ['Object.openSync', false, false, false, 'node:fs', 573, 18],
      [null, false, false, false, '/srv/app/dist/ipc.js', 88, 16],
      ['Promise.all', true, false, false, 'index 0', null, null],
      ['InvoiceStore', false, true, false, 'C:\\Users\\x\\app\\store.js', 10, 5],
      ['eval', false, false, true, 'file:///srv/app/dist/tpl.js', 5, 3],
      ['render', false, false, false, 'http://127.0.0.1:8123/assets/index.js?v=3', 12, 3051],
      ['Object.get foo [as foo]', false, false, false, '/srv/app/dist/x.js', 1, 2],
      [null, false, false, false, 'native', null, null],
    ]);
  });

  it('reads nothing from text that has no frames, and stops at a limit', () => {
    expect(parseStackFrames('Error: x\nno frames here')).toEqual([]);
    expect(parseStackFrames(undefined as unknown as string)).toEqual([]);
    const many = Array.from({ length: 50 }, (_, k) => `    at f${k} (/srv/a.js:${k + 1}:1)`).join('\n');
    expect(parseStackFrames(many, 5)).toHaveLength(5);
    expect(safeFrames(many, roots)).toHaveLength(MAX_FRAMES);
  });
});

describe('safeFrame', () => {
  const one = (line: string) => safeFrames(line, roots)[0];

  it("names the app's own files by their path inside the app", () => {
    expect(one('    at loadDocument (/home/jmueller/apps/invoicer/dist/main/documents.js:41:22)')).toEqual({
      fn: 'loadDocument',
      file: 'dist/main/documents.js',
      line: 41,
      col: 22,
    });
    expect(
      one('    at new Store (c:\\users\\jörg müller\\appdata\\local\\programs\\invoicer\\resources\\app.asar\\dist\\store.js:10:5)'),
    ).toEqual({
      fn: 'new Store',
      file: 'dist/store.js',
      line: 10,
      col: 5,
    });
    expect(one('    at eval (eval at compile (file:///home/jmueller/apps/invoicer/dist/tpl.js:5:3), <anonymous>:1:1)')?.file).toBe(
      'dist/tpl.js',
    );
    expect(one('    at render (http://127.0.0.1:8123/assets/index-4f2a.js?v=1#x:12:30)')?.file).toBe('assets/index-4f2a.js');
  });

  it('names a popular package, and only a popular one', () => {
    expect(isPopularPackage('express')).toBe(true);
    expect(isPopularPackage('@babel/core')).toBe(true);
    expect(isPopularPackage('@contoso/billing')).toBe(false);
    expect(popularPackageCount()).toBeGreaterThan(10_000);
    expect(one('    at Router.handle (/srv/x/node_modules/express/lib/router/index.js:284:9)')?.file).toBe('express');
    expect(one('    at parse (/home/jmueller/apps/invoicer/node_modules/@babel/core/lib/parse.js:1:1)')?.file).toBe('@babel/core');
    expect(one('    at f (/srv/x/node_modules/.pnpm/express@4.21.0/node_modules/express/lib/x.js:1:1)')?.file).toBe('express');
    expect(one('    at Billing.charge (/srv/x/node_modules/@contoso/billing/dist/index.js:3:1)')?.file).toBe(PACKAGE);
    expect(one('    at f (C:\\Users\\jm\\app\\node_modules\\contoso-ledger-internal\\index.js:3:1)')?.file).toBe(PACKAGE);
  });

  it('keeps node: modules (and old internal/ names) as they are', () => {
    expect(one('    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)')?.file).toBe(
      'node:internal/process/task_queues',
    );
    expect(one('    at processTicksAndRejections (internal/process/task_queues.js:97:5)')?.file).toBe('node:internal/process/task_queues');
    expect(one('    at node:electron/js2c/renderer_init:2:9185')?.file).toBe('node:electron/js2c/renderer_init');
  });

  it('anything else is <external>', () => {
    for (const location of [
      '/home/jmueller/Documents/script.js:1:1',
      'C:\\Users\\Jörg Müller\\Desktop\\x.js:1:1',
      '\\\\fileserver\\share\\x.js:1:1',
      'https://evil.example.com/x.js:1:1',
      'webpack-internal:///./src/x.js:1:1',
      'index 0',
      'native',
      '<anonymous>',
      'evalmachine.<anonymous>:1:1',
    ]) {
      expect(one(`    at f (${location})`)?.file, location).toBe(EXTERNAL);
    }
  });

  it("an app path whose segments are not safe, or name this machine's user, is <external>", () => {
    expect(one('    at f (/home/jmueller/apps/invoicer/dist/Jörg notes/x.js:1:1)')?.file).toBe(EXTERNAL);
    expect(one('    at f (/home/jmueller/apps/invoicer/dist/anna/x.js:1:1)')?.file).toBe(EXTERNAL);
    expect(one('    at f (/home/jmueller/apps/invoicer/dist/jmueller-export.js:1:1)')?.file).toBe(EXTERNAL);
    expect(one('    at f (/home/jmueller/apps/invoicer/../x.js:1:1)')?.file).toBe(EXTERNAL);
  });

  it('function names: identifier paths stay, anything else is <fn>', () => {
    expect(one('    at Object.<anonymous> (/srv/a.js:1:1)')?.fn).toBe('Object.<anonymous>');
    expect(one('    at Object.get foo [as foo] (/home/jmueller/apps/invoicer/a.js:1:1)')?.fn).toBe('Object.get foo');
    expect(one('    at async Promise.all (index 0)')?.fn).toBe('async Promise.all');
    expect(one('    at /srv/a.js:1:1')?.fn).toBe('<anonymous>');
    expect(one('    at Müller.send (/srv/a.js:1:1)')?.fn).toBe(UNKNOWN_FN);
    expect(one('    at [Symbol.iterator] (/srv/a.js:1:1)')?.fn).toBe(UNKNOWN_FN);
    expect(one('    at jane@contoso.com (/srv/a.js:1:1)')?.fn).toBe(UNKNOWN_FN);
  });

  it("a function in someone else's code stays only when made of vocabulary words; the app's, a popular package's and Node's stay as identifiers", () => {
    const app = '/home/jmueller/apps/invoicer';
    expect(one(`    at ContosoBilling.chargeCustomer (${app}/src/billing.js:1:1)`)?.fn).toBe('ContosoBilling.chargeCustomer');
    expect(one('    at ContosoBilling.chargeCustomer (/opt/contoso/agent/billing.js:1:1)')?.fn).toBe(UNKNOWN_FN);
    expect(one(`    at new Client_jmueller (${app}/node_modules/@contoso/sdk/index.js:1:1)`)?.fn).toBe(UNKNOWN_FN);
    expect(one('    at handleMariaGarciaInvoice (file:///Users/hanna/x.mjs:1:1)')?.fn).toBe(UNKNOWN_FN);
    expect(one(`    at Contoso.run (${app}/node_modules/lodash/lodash.js:1:1)`)?.fn).toBe('Contoso.run');
    expect(one('    at Contoso.run (node:internal/process/task_queues:95:5)')?.fn).toBe('Contoso.run');
    // Vocabulary words pass anywhere, with `_`, accessor and special parts.
    expect(one('    at Server.emit (/opt/other/server.js:1:1)')?.fn).toBe('Server.emit');
    expect(one('    at Module._compile (/opt/other/loader.js:1:1)')?.fn).toBe('Module._compile');
    expect(one('    at async Object.<anonymous> (/opt/other/x.js:1:1)')?.fn).toBe('async Object.<anonymous>');
    // A receiver has no app roots: it cannot tell whose code a frame is, and keeps identifiers.
    expect(safeFunctionName('ContosoBilling.run', { file: '<external>', roots: { appRoots: [] }, template: {} })).toBe(
      'ContosoBilling.run',
    );
    expect(safeFunctionName('ContosoBilling.run', { file: '<external>', roots, template: {} })).toBe(UNKNOWN_FN);
    expect(
      safeFunctionName('ContosoBilling.run', { file: '<external>', roots, template: { declared: { words: ['contoso', 'billing'] } } }),
    ).toBe('ContosoBilling.run');
  });

  it('keeps line and column, and nothing that is not a small non-negative integer', () => {
    expect(
      safeFrame({ fn: 'f', isAsync: false, isConstructor: false, isEval: false, location: 'node:fs', line: 12, col: 5 }, roots),
    ).toEqual({
      fn: 'f',
      file: 'node:fs',
      line: 12,
      col: 5,
    });
    expect(
      safeFrame({ fn: 'f', isAsync: false, isConstructor: false, isEval: false, location: 'node:fs', line: -1, col: 1.5 }, roots),
    ).toMatchObject({
      line: null,
      col: null,
    });
  });

  it('a root of "/" or an empty root makes nothing the app', () => {
    expect(safeFrames('    at f (/etc/passwd.js:1:1)', { appRoots: ['/', '', '   '] })[0]?.file).toBe(EXTERNAL);
  });
});
