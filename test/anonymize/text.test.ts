import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { machineScrubContext, scrubText, type ScrubContext } from '../../main/anonymize/text.js';

const ctx: ScrubContext = {
  homeDirs: ['/home/bob', 'C:\\Users\\Bob Smith'],
  userNames: ['bob', 'Bob Smith'],
  hostNames: ['bob-laptop', 'bob-laptop.corp.example.com'],
  appRoot: '/home/bob/candor',
  secrets: ['s3cr3t-api-value'],
};

function scrub(text: string, context: ScrubContext = ctx): string {
  return scrubText(text, context);
}

describe('scrubText: paths', () => {
  const rows: Array<[string, string]> = [
    ['at Object.<anonymous> (/home/bob/candor/main/agent.js:12:3)', 'at Object.<anonymous> (<app>/main/agent.js:12:3)'],
    ['at file:///home/bob/candor/dist/main/cli.js:5:7', 'at <app>/dist/main/cli.js:5:7'],
    ['/home/bob/candor', '<app>'],
    ['at Module._compile (node:internal/modules/cjs/loader:1234:14)', 'at Module._compile (node:internal/modules/cjs/loader:1234:14)'],
    ['at async Promise.all (index 0)', 'at async Promise.all (index 0)'],
    ['at node:internal/process/task_queues:95:5', 'at node:internal/process/task_queues:95:5'],
    ['open /home/bob/.config/app/settings.json', 'open <home>/…/settings.json'],
    ['cd /home/bob', 'cd <home>'],
    ['at /home/alice/proj/x.js:1:2', 'at <home>/…/x.js:1:2'],
    ['at /Users/carol/Library/app.asar/main.js:10:20', 'at <home>/…/main.js:10:20'],
    ['at C:\\Users\\dave\\AppData\\Local\\app\\index.js:3:4', 'at <home>\\…\\index.js:3:4'],
    ['at C:/Users/dave/AppData/index.js:3:4', 'at <home>/…/index.js:3:4'],
    ['at c:\\users\\dave\\x.js', 'at <home>\\x.js'],
    ['at \\\\?\\C:\\Users\\erin\\x.js:1:1', 'at <home>\\x.js:1:1'],
    ['at C:\\Users\\Bob Smith\\proj\\y.ts:9:9', 'at <home>\\…\\y.ts:9:9'],
    ['file:///C:/Users/gina/app/main.js:1:1', '<home>/…/main.js:1:1'],
    ['file:///Users/hank/My%20Docs/a.js', '<home>/…/a.js'],
    [
      "ENOENT: no such file or directory, open '/Users/ivan/Documents/Q3-layoffs.xlsx'",
      "ENOENT: no such file or directory, open '<home>/…'",
    ],
    ["EACCES: permission denied, mkdir '/root/.npm/_logs'", "EACCES: permission denied, mkdir '<home>/…'"],
    ['at /usr/lib/node_modules/npm/lib/cli.js:4:1', 'at <path>/cli.js:4:1'],
    ['spawn /usr/bin/git ENOENT', 'spawn <path> ENOENT'],
    ['\\\\fileserver\\share\\report.docx', '<path>'],
    ['file://fileserver/share/report.docx', '<path>'],
    ['read D:\\projects\\acme\\build\\out.dll failed', 'read <path>\\out.dll failed'],
    ['ratio 1/2 and a/b/c and and/or', 'ratio 1/2 and a/b/c and and/or'],
    ['written to /tmp/candor-123/out.json.', 'written to <path>/out.json.'],
    // a path right after `=`: environment dumps and --flag=value
    ['spawn failed: HOME=/home/zed', 'spawn failed: HOME=<home>'],
    ['--data-dir=/home/zed/work/q3.xlsx', '--data-dir=<home>/…'],
    ['cwd=/srv/acme/build/run.js', 'cwd=<path>/run.js'],
    ['a=b and x==y', 'a=b and x==y'],
    // the long-path form of a UNC path
    ['open \\\\?\\UNC\\fileserver07\\payroll\\2025.xlsx failed', 'open <path> failed'],
    ['\\\\.\\unc\\nas\\share\\lib.dll', '<path>\\lib.dll'],
  ];
  it.each(rows)('%j -> %j', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });
});

describe('scrubText: network identifiers', () => {
  const rows: Array<[string, string]> = [
    ['connect ECONNREFUSED 10.0.0.12:5432', 'connect ECONNREFUSED <ip>:5432'],
    ['from 192.168.1.254.', 'from <ip>.'],
    ['255.255.255.255 and 0.0.0.0', '<ip> and <ip>'],
    ['999.1.1.1 is not an address', '999.1.1.1 is not an address'],
    ['version 1.2.3 and 1.2.3.4.5', 'version 1.2.3 and 1.2.3.4.5'],
    ['listen [::1]:8080', 'listen [<ip>]:8080'],
    ['peer fe80::1%eth0 gone', 'peer <ip> gone'],
    ['2001:db8::8a2e:370:7334', '<ip>'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '<ip>'],
    ['mapped ::ffff:192.168.1.5 ok', 'mapped <ip> ok'],
    ['::ffff:c0a8:105', '<ip>'],
    ['FE80::ABCD:1', '<ip>'],
    ['at 12:30:45 the job ran', 'at 12:30:45 the job ran'],
    ['2026-11-25T14:37:12.345Z', '2026-11-25T14:37:12.345Z'],
    ['std::vector<int> and v8::internal::Isolate', 'std::vector<int> and v8::internal::Isolate'],
    ['label:: value', 'label:: value'],
    ['mac 00:1A:2B:3C:4D:5E up', 'mac <mac> up'],
    ['mac 00-1a-2b-3c-4d-5e up', 'mac <mac> up'],
    ['mac 001a.2b3c.4d5e up', 'mac <mac> up'],
    ['00:1A:2B:3C:4D not a mac', '00:1A:2B:3C:4D not a mac'],
    // an address followed by ": " (but not by more hex after the colon)
    ['connect failed from 2001:db8::8a2e:370:7334: timed out', 'connect failed from <ip>: timed out'],
    ['peer fe80::1: connection refused', 'peer <ip>: connection refused'],
    ['link 3c:22:fb:01:02:03: down', 'link <mac>: down'],
    ['00:11:22:33:44:55:66 is seven groups', '00:11:22:33:44:55:66 is seven groups'],
    ['at 12:30:45: done', 'at 12:30:45: done'],
    ['mail bob.smith+x@example.co.uk now', 'mail <email> now'],
    ['<Jane.Doe@Mail.Example.ORG>', '<<email>>'],
    ['user@localhost', 'user@localhost'],
    ['see https://user:pass@api.example.com/v1?token=abc123. ok', 'see <url>. ok'],
    ['(http://10.0.0.1:8080/x?a=1&b=2)', '(<url>)'],
    ['request to http://[2001:db8::7]:8080/orders/42?user=zed failed', 'request to <url> failed'],
    ['ws://[fe80::1%25eth0]/live.', '<url>.'],
    ['see http:// for details', 'see http:// for details'],
    ['wss://sock.example.net/live, then', '<url>, then'],
    ['postgres://admin:hunter2@db.internal:5432/prod', '<url>'],
    ['getaddrinfo ENOTFOUND db-prod-7', 'getaddrinfo ENOTFOUND <host>'],
    ['getaddrinfo EAI_AGAIN registry.example.com', 'getaddrinfo EAI_AGAIN <host>'],
    ['resolving db.example.com and nas-1.internal', 'resolving <host> and <host>'],
    ['api.eu.service.io down', '<host> down'],
    ['build-7.ci.internal and node2.lan', '<host> and <host>'],
    ['logger.info is not a function; this.app.dev missing', 'logger.info is not a function; this.app.dev missing'],
    ['require("./agent.js") and package.json', 'require("./agent.js") and package.json'],
  ];
  it.each(rows)('%j -> %j', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });
});

describe('scrubText: ids and tokens', () => {
  const rows: Array<[string, string]> = [
    ['id 123e4567-e89b-12d3-a456-426614174000', 'id <uuid>'],
    ['id 123E4567-E89B-12D3-A456-426614174000.', 'id <uuid>.'],
    ['{3F2504E0-4F89-11D3-9A0C-0305E82C3301}', '{<uuid>}'],
    ['sha 0123456789abcdef0123456789abcdef01234567', 'sha <hex>'],
    ['id DEADBEEFCAFEBABE', 'id <hex>'],
    ['short 0xdeadbeef and abc123', 'short 0xdeadbeef and abc123'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc_DEF-123 end', 'jwt <token> end'],
    ['Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJ4In0.', 'Bearer <token>'],
    ['key AbCdEf12345GhIjKlMnOpQrStUvWxYz09', 'key <token>'],
    ['b64 dGhpcyBpcyBhIHNlY3JldCB0b2tlbiAxMjM0NQ==', 'b64 <token>'],
    ['ERR_INVALID_ARG_TYPE someVeryLongFunctionNameHere', 'ERR_INVALID_ARG_TYPE someVeryLongFunctionNameHere'],
    // random tokens with fewer than two digits
    ['token RXYdgcsXy3dwLkOZJrCO+AgVKQ== rejected', 'token <token> rejected'],
    ['token ghp_rMfzGYOP2menoFwhhHyfYoOVKA rejected', 'token <token> rejected'],
    ['token cPANFMAVRsVC_rEsLnLkPagxpPU rejected', 'token <token> rejected'],
    ['getStaticDataForAllTheDisks failed', 'getStaticDataForAllTheDisks failed'],
    ['XMLHttpRequestEventTarget and ERR_SOCKET_CONNECTION_TIMEOUT', 'XMLHttpRequestEventTarget and ERR_SOCKET_CONNECTION_TIMEOUT'],
    ['secret s3cr3t-api-value inline s3cr3t-api-valueX', 'secret <secret> inline <secret>X'],
  ];
  it.each(rows)('%j -> %j', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });
});

describe('scrubText: user and host names', () => {
  const rows: Array<[string, string]> = [
    ['permission denied for bob', 'permission denied for <user>'],
    ['BOB, Bob and bob.', '<user>, <user> and <user>.'],
    ['bobcat kabob bob_x bobby', 'bobcat kabob bob_x bobby'],
    ['owner: Bob Smith (admin)', 'owner: <user> (admin)'],
    ['Author: <bob> and <Bob Smith>', 'Author: <<user>> and <<user>>'],
    ['from bob-laptop: refused', 'from <host>: refused'],
    ['bob-laptop.corp.example.com timed out', '<host> timed out'],
    ['BOB-LAPTOP', '<host>'],
    // names inside foreign home paths are users too, elsewhere in the same text
    ['alice failed at /home/alice/x.js', '<user> failed at <home>/x.js'],
    ['carol: C:\\Users\\carol\\a.js', '<user>: <home>\\a.js'],
    // but service accounts in paths are not: "node" must stay a word
    ['node crashed at /home/node/app/index.js', 'node crashed at <home>/…/index.js'],
    ['runner at /home/runner/work/x.js', 'runner at <home>/…/x.js'],
  ];
  it.each(rows)('%j -> %j', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it('ignores names shorter than two characters', () => {
    expect(scrub('a b c x', { ...ctx, userNames: ['x'], hostNames: ['a'] })).toBe('a b c x');
  });

  it("does not treat localhost as this machine's host name", () => {
    expect(scrub('connect to localhost', { ...ctx, hostNames: ['localhost'] })).toBe('connect to localhost');
  });

  it('matches names with regex metacharacters literally', () => {
    expect(scrub('o.k+ and ok', { ...ctx, userNames: ['o.k+'] })).toBe('<user> and ok');
  });
});

describe('scrubText: whole stack traces', () => {
  const traces: Array<[string, string, string]> = [
    [
      'linux',
      `TypeError: Cannot read properties of undefined (reading 'id')
    at collect (/home/bob/candor/main/collect/system.js:41:17)
    at async Promise.all (index 2)
    at run (/home/bob/.nvm/versions/node/v20.20.2/lib/node_modules/tsx/dist/cli.mjs:10:3)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
      `TypeError: Cannot read properties of undefined (reading 'id')
    at collect (<app>/main/collect/system.js:41:17)
    at async Promise.all (index 2)
    at run (<home>/…/cli.mjs:10:3)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
    ],
    [
      'macOS',
      `Error: EACCES: permission denied, open '/Users/zoe/Library/Application Support/Candor/x'
    at Object.openSync (node:fs:573:18)
    at file:///Applications/Candor.app/Contents/Resources/app.asar/main.js:1:2`,
      `Error: EACCES: permission denied, open '<home>/… Support/Candor/x'
    at Object.openSync (node:fs:573:18)
    at <path>/main.js:1:2`,
    ],
    [
      'windows',
      `Error: connect ETIMEDOUT 172.16.4.20:443
    at C:\\Users\\yann\\AppData\\Local\\Programs\\candor\\resources\\app.asar\\main.js:3:9
    at \\\\?\\C:\\Users\\yann\\x.js:1:1 (host YANN-PC.corp.example.com, mail yann@example.com)`,
      `Error: connect ETIMEDOUT <ip>:443
    at <home>\\…\\main.js:3:9
    at <home>\\x.js:1:1 (host <host>, mail <email>)`,
    ],
  ];
  it.each(traces)('%s trace', (_os, input, expected) => {
    expect(scrub(input)).toBe(expected);
  });
});

describe('scrubText: robustness', () => {
  it('cannot be tricked by text that looks like its own placeholders', () => {
    const forged = 'x\uE000\uE010\uE001 and bob';
    const out = scrub(forged);
    expect(out).toBe('x\uFFFD\uFFFD\uFFFD and <user>');
  });

  it('keeps tokens stable when scrubbed twice', () => {
    const input = 'bob at /home/bob/candor/main/a.js:1:2 from 10.0.0.1 via https://x.example.com/?t=1 /home/alice/z.js';
    const once = scrub(input);
    expect(scrub(once)).toBe(once);
  });

  it('is idempotent on a frame under a home directory and on names that are token words', () => {
    const once = scrub('at /home/bob/proj/index.js:1:2 and /home/alice/x/y/z.ts');
    expect(once).toBe('at <home>/…/index.js:1:2 and <home>/…/z.ts');
    expect(scrub(once)).toBe(once);
    const tokenWords: ScrubContext = { homeDirs: [], userNames: ['user', 'host'], hostNames: ['path'], appRoot: null };
    const first = scrub('user on path at host /usr/lib/x.so', tokenWords);
    expect(first).toBe('<user> on <host> at <user> <path>/x.so');
    expect(scrub(first, tokenWords)).toBe(first);
  });

  it('leaves text with nothing identifying unchanged', () => {
    const plain = 'RangeError: Maximum call stack size exceeded (limit 10000, depth 3)';
    expect(scrub(plain)).toBe(plain);
  });

  it('scrubs with no app root and no known names', () => {
    const empty: ScrubContext = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };
    expect(scrub('at /home/quinn/app/main.js:1:1 quinn', empty)).toBe('at <home>/…/main.js:1:1 <user>');
  });

  // Each input is 1 MB built to make a backtracking regex go quadratic or worse. The
  // assertion is that it finishes at all within the test timeout, not how fast.
  const MB = 1 << 20;
  const adversarial: Array<[string, string]> = [
    ['word characters', 'a'.repeat(MB)],
    ['hex then a non-hex letter', `${'a'.repeat(MB - 1)}g`],
    ['colons and hex', 'a:'.repeat(MB / 2)],
    ['dotted numbers', '1.'.repeat(MB / 2)],
    ['e-mail without a domain', `${'a.'.repeat(MB / 2 - 1)}@`],
    ['at signs', '@a.'.repeat(MB / 3)],
    ['slashes', '/a'.repeat(MB / 2)],
    ['backslashes', 'C:\\a'.repeat(MB / 4)],
    ['url without end', `http://${'a'.repeat(MB - 7)}`],
    ['dashes and hex', '0-'.repeat(MB / 2)],
    ['base64 alphabet', 'aB3+'.repeat(MB / 4)],
    ['dotted labels', 'a-b.'.repeat(MB / 4)],
    ['user names', 'bob '.repeat(MB / 4)],
  ];
  it.each(adversarial)('finishes on 1 MB of %s', (_label, input) => {
    const out = scrub(input);
    expect(typeof out).toBe('string');
    expect(out.length).toBeGreaterThan(0);
  });
});

describe('machineScrubContext', () => {
  it('names this machine: home dir, user name, host name and its first label', () => {
    const c = machineScrubContext('/opt/candor');
    expect(c.appRoot).toBe('/opt/candor');
    expect(c.homeDirs).toContain(os.homedir());
    expect(c.hostNames).toContain(os.hostname());
    expect(c.hostNames).toContain(os.hostname().split('.')[0]);
    const me = os.userInfo().username;
    if (['root', 'node', 'runner'].includes(me)) expect(c.userNames).not.toContain(me);
    else expect(c.userNames).toContain(me);
    expect(new Set(c.hostNames).size).toBe(c.hostNames.length);
  });

  it("scrubs this machine's own names out of a message", () => {
    const c = machineScrubContext(null);
    const text = `failed on ${os.hostname()} for ${os.userInfo().username} in ${os.homedir()}/x.txt`;
    const out = scrubText(text, c);
    if (os.hostname().length >= 2) expect(out).not.toContain(os.hostname());
    if (os.homedir() !== '/') expect(out).not.toContain(os.homedir());
  });
});
