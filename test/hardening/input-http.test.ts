import fc from 'fast-check';
import { once } from 'node:events';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, type CallName } from '../../main/api.js';
import { startHeadless, type HeadlessHandle } from '../../main/headless.js';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { badInput, badQuery, expectedPrefix, FIELDS } from './generators/bad-input.js';
import { CaseCount } from './generators/case-count.js';
import { envelopeError, parseRaw, send, sendRaw, type Reply } from './generators/raw-http.js';

// The loopback API of a real headless agent under bad input: generated bad arguments
// on every route, malformed query strings, headers and bodies, a gzip bomb and 10 MB
// bodies. Every answer is a 4xx in Qdrant's envelope naming what was wrong; the agent
// keeps answering GET /status, its memory stays bounded, Object.prototype stays clean.

const count = new CaseCount();
let box: Sandbox;
let agent: HeadlessHandle;
let previousSink: LogSink;

beforeAll(async () => {
  previousSink = setLogSink(() => undefined);
  box = sandbox();
  agent = await startHeadless({ dataDir: box.dataDir, cwd: box.cwd, env: {}, port: 0 });
});

afterAll(async () => {
  await agent.close();
  box.cleanup();
  setLogSink(previousSink);
  console.log(count.summary('input-http'));
});

const POST_ROUTES = (Object.keys(calls) as CallName[]).filter((name) => calls[name].http.method === 'POST');
const API_ROUTES = [
  ...(Object.keys(calls) as CallName[]).map((name) => calls[name].http),
  { method: 'GET', path: '/telemetry' },
  { method: 'GET', path: '/metrics' },
];

function expect4xx(reply: Reply, what: string): string {
  expect(reply.status, `${what}: ${reply.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(reply.status, what).toBeLessThan(500);
  const message = envelopeError(reply.text);
  expect(message, `${what}: not the envelope: ${reply.text.slice(0, 200)}`).not.toBeNull();
  return message ?? '';
}

async function expectResponsive(): Promise<void> {
  const reply = await send(agent, '/status');
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.text)).toMatchObject({ status: 'ok' });
}

function prototypeClean(): boolean {
  return ['polluted', 'granted', 'send', 'isAdmin', 'details_level'].every((key) => !(key in Object.prototype));
}

describe('generated bad arguments on every route', () => {
  it('POST bodies: 400 in the envelope, naming the call and the field', async () => {
    const bodies = badInput
      .filter((bad) => POST_ROUTES.includes(bad.name))
      // JSON has no NaN: it is sent as null, which the contract reads as {} (valid for the empty calls).
      .filter((bad) => !(typeof bad.input === 'number' && Number.isNaN(bad.input)));
    await fc.assert(
      fc.asyncProperty(bodies, async (bad) => {
        count.add('post-body');
        const reply = await send(agent, calls[bad.name].http.path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(bad.input),
        });
        const message = expect4xx(reply, bad.how);
        expect(reply.status).toBe(400);
        expect(message.startsWith(expectedPrefix(bad)), `${bad.how}: ${message.slice(0, 200)}`).toBe(true);
        expect(prototypeClean()).toBe(true);
      }),
      { numRuns: 250 },
    );
    await expectResponsive();
  });

  it('GET query strings: 400 in the envelope, naming the call and the parameter', async () => {
    await fc.assert(
      fc.asyncProperty(badQuery, async (bad) => {
        count.add('get-query');
        const reply = await send(agent, `${bad.path}?${bad.query}`);
        const message = expect4xx(reply, bad.how);
        expect(reply.status).toBe(400);
        if (bad.mentions !== undefined) expect(message).toContain(bad.mentions);
        else expect(message.startsWith(`${bad.name}: ${bad.names}:`), `${bad.how}: ${message.slice(0, 200)}`).toBe(true);
        expect(prototypeClean()).toBe(true);
      }),
      { numRuns: 250 },
    );
    await expectResponsive();
  });

  it('GET /telemetry with arbitrary query strings: 200, or a 4xx envelope naming the parameter', async () => {
    const param = fc.oneof(
      fc.constantFrom('details_level', 'anonymize', 'timeout', '__proto__', 'constructor'),
      fc.string({ maxLength: 8 }),
    );
    const value = fc.oneof(
      fc.constantFrom('0', '4', '-1', '1.5', 'NaN', '1e3', '99999999999', 'true', 'false', 'yes', '0.001', '3601', ''),
      fc.string({ maxLength: 10 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(param, value), { maxLength: 4 }), async (pairs) => {
        count.add('telemetry-query');
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const reply = await send(agent, `/telemetry?${query}`);
        if (reply.status === 200) return;
        // A very short timeout may legitimately run out before the report is built.
        if (reply.status === 408) return;
        const message = expect4xx(reply, query);
        expect(
          pairs.some(([k]) => message.includes(k === '' ? 'query parameter' : k)),
          `${query}: ${message}`,
        ).toBe(true);
      }),
      { numRuns: 120 },
    );
    await expectResponsive();
  });
});

describe('malformed headers and bodies on every API route', () => {
  const BAD_BODIES: [string, string | Buffer][] = [
    ['not JSON', 'granted=true'],
    ['truncated JSON', '{"granted": tr'],
    ['byte-order mark', '\ufeff{}'],
    ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b])],
    ['deep arrays', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
    ['deep objects', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
    ['proto pollution', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'],
    ['a JSON string', '"granted"'],
    ['a JSON array', '[true]'],
  ];

  it.each(POST_ROUTES.map((name) => [name, calls[name].http.path]))('POST %s: every bad body is a 4xx envelope', async (_name, path) => {
    for (const [what, body] of BAD_BODIES) {
      count.add('bad-body');
      const message = expect4xx(
        await send(agent, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
        `${path} ${what}`,
      );
      expect(message.length).toBeGreaterThan(0);
    }
    expect(prototypeClean()).toBe(true);
  });

  it.each(POST_ROUTES.map((name) => [name, calls[name].http.path]))(
    'POST %s: wrong Content-Type and any Content-Encoding are refused (415)',
    async (_name, path) => {
      const valid = JSON.stringify(
        Object.fromEntries(Object.keys(FIELDS[_name as CallName]).map((k) => [k, k === 'details_level' ? 0 : true])),
      );
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', '']) {
        count.add('bad-header');
        const headers: Record<string, string> = type === '' ? {} : { 'Content-Type': type };
        const reply = await send(agent, path, { method: 'POST', headers, body: valid });
        expect(expect4xx(reply, `${path} ${type}`)).toContain('Content-Type');
        expect(reply.status).toBe(415);
      }
      for (const encoding of ['gzip', 'deflate', 'br', 'x-gzip', 'gzip, identity']) {
        count.add('bad-header');
        const reply = await send(agent, path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
          body: gzipSync(valid),
        });
        expect(expect4xx(reply, `${path} ${encoding}`)).toContain('Content-Encoding');
        expect(reply.status).toBe(415);
      }
    },
  );

  it.each(API_ROUTES.map((r) => [r.method, r.path]))(
    '%s %s: a missing, malformed or wrong token is 401 in the envelope',
    async (method, path) => {
      const authorizations: (string | null)[] = [
        null,
        '',
        'Bearer',
        'Bearer ',
        `Basic ${agent.token}`,
        `bearer ${agent.token}`,
        `Bearer ${agent.token}x`,
        `Bearer ${agent.token.slice(1)}`,
        `Bearer ${'\u00e9'.repeat(agent.token.length)}`,
      ];
      for (const authorization of authorizations) {
        count.add('bad-token');
        const headers: Record<string, string> = authorization === null ? {} : { Authorization: authorization };
        const reply = await send(agent, path, { method, headers, token: null, ...(method === 'POST' ? { body: '{}' } : {}) });
        expect(reply.status, `${path} ${String(authorization)}`).toBe(401);
        expect(envelopeError(reply.text)).toContain('Authorization');
      }
    },
  );

  it('foreign Host and Origin headers are refused in the envelope', async () => {
    for (const [headers, status] of [
      [{ Host: 'evil.example.com' }, 421],
      [{ Host: `127.0.0.1:${agent.port + 1}` }, 421],
      [{ Host: `127.0.0.1:${agent.port}`, Origin: 'http://evil.example.com' }, 403],
      [{ Host: `127.0.0.1:${agent.port}`, Origin: 'null' }, 403],
    ] as const) {
      count.add('bad-host');
      const reply = await send(agent, '/status', { headers: { ...headers } });
      expect(reply.status).toBe(status);
      expect(envelopeError(reply.text)).not.toBeNull();
    }
  });

  it('malformed request lines that node:http accepts get the envelope and the agent answers after', async () => {
    for (const target of [
      '/status?%',
      '/status?a=%zz',
      '/%zz',
      '/status%00',
      '/preview?details_level=%ff&anonymize=true',
      '/history/body?sha256=%E0%A4%A',
      '/telemetry?details_level=%',
      `/status?${'a'.repeat(8000)}=1`,
      '/status?&&&=&',
    ]) {
      count.add('bad-target');
      const raw = await sendRaw(
        agent.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${agent.port}\r\nAuthorization: Bearer ${agent.token}\r\nConnection: close\r\n\r\n`,
      );
      const { status, body } = parseRaw(raw);
      expect(status, target).toBeGreaterThanOrEqual(400);
      expect(status, target).toBeLessThan(500);
      expect(envelopeError(body), `${target}: ${body}`).not.toBeNull();
    }
    await expectResponsive();
  });

  it('request targets in absolute form that are not URLs get a 400 envelope and the agent lives on', async () => {
    // `new URL(req.url)` threw outside any handler here: an uncaught exception that killed the agent.
    for (const target of ['http://[', 'http://a:b@[::1', 'http://%', 'https://[::1', 'http://127.0.0.1:99999/status']) {
      count.add('bad-target');
      const { status, body } = parseRaw(
        await sendRaw(
          agent.port,
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${agent.port}\r\nAuthorization: Bearer ${agent.token}\r\nConnection: close\r\n\r\n`,
        ),
      );
      expect(status, target).toBe(400);
      expect(envelopeError(body), `${target}: ${body}`).not.toBeNull();
    }
    await expectResponsive();
  });
});

/** Bytes `gz` inflates to, counted a chunk at a time. */
async function inflatedSize(gz: Buffer): Promise<number> {
  let size = 0;
  const gunzip = createGunzip();
  gunzip.on('data', (chunk: Buffer) => (size += chunk.length));
  const ended = once(gunzip, 'end');
  gunzip.end(gz);
  await ended;
  return size;
}

/** 200 MB of spaces, gzipped a megabyte at a time: the 200 MB are never held at once. */
async function gzipBomb(): Promise<Buffer> {
  const megabyte = Buffer.alloc(1024 * 1024, 0x20);
  const chunks: Buffer[] = [];
  const gzip = createGzip({ level: 9 });
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(gzip, 'end');
  for (let i = 0; i < 200; i++) if (!gzip.write(megabyte)) await once(gzip, 'drain');
  gzip.end();
  await ended;
  return Buffer.concat(chunks);
}

describe('resource bombs', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = await gzipBomb();
    expect(await inflatedSize(bomb)).toBe(200 * 1024 * 1024);
  });

  it('a gzip bomb with Content-Encoding: gzip is refused without inflating it', async () => {
    // 200 KB on the wire, 200 MB inflated. Built before the baseline, from 1 MB at a time,
    // so the baseline holds no 200 MB source buffer that could hide growth.
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().rss;
    for (const name of POST_ROUTES) {
      count.add('gzip-bomb');
      const reply = await send(agent, calls[name].http.path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: bomb,
      });
      expect(reply.status).toBe(415);
      expect(envelopeError(reply.text)).toContain('Content-Encoding');
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    await expectResponsive();
  });

  it('10 MB bodies on every API route: POST answers 413, GET ignores the body; memory stays bounded', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    // Warm up once so buffers the runtime keeps for good are not counted as growth.
    await send(agent, '/errors', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big });
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 3; round++) {
      for (const route of API_ROUTES) {
        for (const chunked of [false, true]) {
          count.add('10MB-body');
          const headers: Record<string, string> = {
            'Content-Type': 'application/json',
            ...(chunked ? { 'Transfer-Encoding': 'chunked' } : {}),
          };
          const reply = await send(agent, route.path, { method: route.method, headers, body: big });
          if (route.method === 'POST') {
            expect(reply.status, `${route.path} chunked=${chunked}`).toBe(413);
            expect(envelopeError(reply.text)).toContain('body too large');
          } else {
            expect(reply.status, `${route.path} chunked=${chunked}: ${reply.text.slice(0, 120)}`).toBeLessThan(500);
          }
        }
      }
    }
    const growth = process.memoryUsage().rss - before;
    expect(growth, `rss grew ${Math.round(growth / 1e6)} MB`).toBeLessThan(100 * 1024 * 1024);
    await expectResponsive();
    expect(prototypeClean()).toBe(true);
  });
});
