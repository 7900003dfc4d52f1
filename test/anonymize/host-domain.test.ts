import { describe, expect, it } from 'vitest';
import { scrubText, type ScrubContext } from '../../main/anonymize/text.js';

// A known host name takes its domain with it: `<host>.corp.acme.com` would still name
// the organisation. Found by the anonymizer benchmark.
const ctx: ScrubContext = { homeDirs: ['/home/alice'], userNames: ['alice'], hostNames: ['alice-laptop'], appRoot: '/opt/candor' };

describe('known host names with their domain', () => {
  it.each([
    ['connect to alice-laptop.corp.acme.com failed', 'connect to <host> failed'],
    ['alice-laptop.local: no route', '<host>: no route'],
    ['on alice-laptop.lan', 'on <host>'],
    ['ping alice-laptop.corp.acme.com.', 'ping <host>.'],
    ['ALICE-LAPTOP.Corp.Acme.COM:443 refused', '<host>:443 refused'],
    ['alice-laptop said no', '<host> said no'],
    // A name built on this machine's name is replaced too (the safe side).
    ['alice-laptop-2 is another machine', '<host>-2 is another machine'],
  ])('%j -> %j', (input, expected) => {
    expect(scrubText(input, ctx)).toBe(expected);
  });
});
