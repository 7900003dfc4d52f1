import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksRandom } from '../../main/anonymize/random-run.js';

describe('looksRandom', () => {
  const names = [
    'getStaticDataForAllTheDisks',
    'someVeryLongFunctionNameHere',
    'ERR_INVALID_ARG_TYPE_FOR_OPTION',
    'XMLHttpRequestEventTarget',
    'processTicksAndRejections',
    'HTMLIFrameElementConstructor',
    'uncaughtExceptionMonitor',
    'candor_report_build_ms_histogram',
    'WebGLVertexArrayObjectOES',
    'getOwnPropertyDescriptors',
    'node-gyp-build-optional-packages',
    'toHaveBeenCalledWithParameters',
    'abcdefghijklmnopqrstuvwxyz',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ];
  it.each(names)('%s is a name', (name) => {
    expect(looksRandom(name)).toBe(false);
  });

  const tokens = [
    'AbCdEf12345GhIjKlMnOpQrStUvWxYz09', // two digits or more: random as before
    'RXYdgcsXy3dwLkOZJrCO+AgVKQ==',
    'ghp_rMfzGYOP2menoFwhhHyfYoOVKA',
    'cPANFMAVRsVC_rEsLnLkPagxpPU',
    'fodUEyEWHGvTBMFZK_xipSLrKn1nzCNFiNs',
    'wK3okMNnyLbWduhWShtt-VXMvg',
    'fZPMfXPdUUaq0sgKBYBQqzZb',
  ];
  it.each(tokens)('%s is random', (token) => {
    expect(looksRandom(token)).toBe(true);
  });

  it('takes nearly every random base64 token, whatever its digit count', () => {
    let missed = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 18, maxLength: 48 }), fc.boolean(), (bytes, url) => {
        if (!looksRandom(Buffer.from(bytes).toString(url ? 'base64url' : 'base64'))) missed++;
      }),
      { numRuns: 20_000, seed: 7 },
    );
    // fewer than one in 10,000: a run with under two capitals or lower-case letters is
    // not judged at all (ALL_CAPS and lower-case names must stay).
    expect(missed).toBeLessThanOrEqual(2);
  });

  it('is linear: a 1 MB run is judged in one pass', () => {
    expect(looksRandom('aB'.repeat(1 << 19))).toBe(true);
  });
});
