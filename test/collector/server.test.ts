import { connect } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { startTestCollector, TEST_TOKEN, type TestCollector } from './support/collector.js';
import { fleet } from './support/fleet.js';
import { postReport, send } from './support/http.js';

// POST /v1/reports, POST /v1/deletion-requests and the admin API of a collector on
// 127.0.0.1 with a real DuckDB file: what is stored, what is refused and why, and that
// a bad request or a failed store never takes the server down.

const reports = fleet({ reports: 2500, version: 1, seed: 11 });
const byInstance = new Map<string, typeof reports>();
for (const r of reports) byInstance.set(r.payload.id, [...(byInstance.get(r.payload.id) ?? []), r]);
const instances = [...byInstance.keys()];

const clone = <T>(value: T): T => structuredClone(value);

let collector: TestCollector | null = null;
let restoreLog: LogSink | null = null;
afterEach(async () => {
  await collector?.close();
  collector = null;
  if (restoreLog) setLogSink(restoreLog);
  restoreLog = null;
});

describe('POST /v1/reports', () => {
  it('stores a report once, however often it is delivered', async () => {
    collector = await startTestCollector();
    const payload = reports[0]?.payload ?? { id: '' };
    const first = await postReport(collector.url, payload);
    expect(first.status).toBe(200);
    expect(first.json['stored']).toBe(true);
    const again = await postReport(collector.url, payload);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ report_id: first.json['report_id'], stored: false });
    // Concurrent copies of another report land in the same batch: still one row.
    const other = reports[1]?.payload;
    const answers = await Promise.all(Array.from({ length: 5 }, () => postReport(collector?.url ?? '', other)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.json['stored'] === true)).toHaveLength(1);
    const expected = [reports[0], reports[1]].filter((r) => r?.payload.id === payload.id).length;
    expect(await collector.store.instanceReports(String(payload.id))).toBe(expected);
    expect(await collector.store.countRows([String(payload.id)])).toBeGreaterThan(0);
  });

  it.each<[string, (p: Record<string, unknown>) => void, RegExp]>([
    ['a report that is not anonymized', (p) => (p['anonymized'] = false), /not anonymized/],
    [
      'a report with a field off the allow-list',
      (p) => Object.assign((p['system'] as Record<string, Record<string, unknown>>)['os'] ?? {}, { hostname: 'alice-laptop' }),
      /does not match payload v1 at \/system\/os: .*additional properties \(hostname\)/,
    ],
    ['a report with an unknown schema version', (p) => (p['schema_version'] = 99), /unknown schema_version 99/],
    ['a report without its id', (p) => delete p['id'], /required property 'id'/],
  ])('refuses %s with 400 and the reason, and stores nothing', async (_name, change, reason) => {
    collector = await startTestCollector();
    const payload = clone(reports[2]?.payload ?? {});
    change(payload);
    const answer = await postReport(collector.url, payload);
    expect(answer.status).toBe(400);
    expect(String(answer.json['error'])).toMatch(reason);
    expect((await collector.store.aggregateInputs({ since: null })).reports).toBe(0);
  });

  it('refuses broken bodies with the status that says why, and keeps serving', async () => {
    collector = await startTestCollector({ limits: { maxBytes: 64 * 1024, maxInflatedBytes: 512 * 1024 } });
    const url = collector.url;
    const json = { 'Content-Type': 'application/json' };
    const cases: [string, Parameters<typeof send>[2], number, RegExp][] = [
      ['not gzip', { raw: Buffer.from('not gzip at all'), headers: { ...json, 'Content-Encoding': 'gzip' } }, 400, /not valid gzip/],
      ['not JSON', { raw: gzipSync('{"schema_version": 1,'), headers: { ...json, 'Content-Encoding': 'gzip' } }, 400, /not valid JSON/],
      ['a JSON list', { raw: gzipSync('[1,2]'), headers: { ...json, 'Content-Encoding': 'gzip' } }, 400, /not a JSON object/],
      [
        'plain text',
        { raw: Buffer.from('hello'), headers: { 'Content-Type': 'text/plain' } },
        415,
        /Content-Type must be application\/json/,
      ],
      ['brotli', { raw: Buffer.from('x'), headers: { ...json, 'Content-Encoding': 'br' } }, 415, /Content-Encoding br/],
      [
        'over the size limit',
        { raw: Buffer.alloc(100 * 1024, 1), headers: { ...json, 'Content-Encoding': 'gzip' } },
        413,
        /body too large/,
      ],
      [
        'a gzip bomb',
        { raw: gzipSync(Buffer.alloc(4 * 1024 * 1024, 32)), headers: { ...json, 'Content-Encoding': 'gzip' } },
        413,
        /once inflated/,
      ],
      [
        'a deflate bomb',
        { raw: deflateSync(Buffer.alloc(4 * 1024 * 1024, 32)), headers: { ...json, 'Content-Encoding': 'deflate' } },
        413,
        /once inflated/,
      ],
      ['from a web page', { json: reports[0]?.payload, headers: { Origin: 'https://evil.example' } }, 403, /web pages/],
    ];
    for (const [name, options, status, reason] of cases) {
      const answer = await send(url, '/v1/reports', options);
      expect(answer.status, name).toBe(status);
      expect(String(answer.json['error']), name).toMatch(reason);
    }
    expect((await send(url, '/v1/reports')).status).toBe(405);
    expect((await send(url, '/v1/nothing')).status).toBe(404);
    expect((await postReport(url, reports[0]?.payload)).status).toBe(200);
  });

  it('takes a client that goes away mid-body in its stride: no error logged, the next report stored', async () => {
    const lines: string[] = [];
    restoreLog = setLogSink((_level, line) => lines.push(line));
    collector = await startTestCollector();
    const server = collector.server;
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 5000\r\n\r\n',
    );
    socket.write(Buffer.alloc(100, 7));
    // The server has the request once it holds the connection; then the client leaves.
    const connections = (): Promise<number> => new Promise((resolve) => server.server.getConnections((_e, n) => resolve(n)));
    while ((await connections()) === 0) await new Promise((r) => setTimeout(r, 10));
    socket.destroy();
    while ((await connections()) > 0) await new Promise((r) => setTimeout(r, 10));
    expect((await postReport(collector.url, reports[3]?.payload)).status).toBe(200);
    expect(lines.filter((l) => /internal error/.test(l))).toEqual([]);
  });

  it('answers 429 with Retry-After past the global and the per-instance rate', async () => {
    collector = await startTestCollector({ rateLimit: { globalPerS: 1000, instancePerHour: 2 } });
    const mine = byInstance.get(instances[0] ?? '') ?? [];
    expect(mine.length).toBeGreaterThan(3);
    expect((await postReport(collector.url, mine[0]?.payload)).status).toBe(200);
    expect((await postReport(collector.url, mine[1]?.payload)).status).toBe(200);
    const third = await postReport(collector.url, mine[2]?.payload);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another instance is not held back by the first one's limit.
    expect((await postReport(collector.url, byInstance.get(instances[1] ?? '')?.[0]?.payload)).status).toBe(200);
    await collector.close();

    collector = await startTestCollector({ rateLimit: { globalPerS: 2, instancePerHour: 1000 } });
    const answers = [];
    for (const r of reports.slice(0, 4)) answers.push(await postReport(collector.url, r.payload));
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.headers['retry-after']).toBe('1');
  });

  it('answers 503 with Retry-After when the store fails, and keeps running', async () => {
    collector = await startTestCollector();
    await collector.store.close();
    const answer = await postReport(collector.url, reports[0]?.payload);
    expect(answer.status).toBe(503);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(String(answer.json['error'])).toMatch(/storage unavailable/);
    const admin = await send(collector.url, '/v1/aggregates', { token: TEST_TOKEN });
    expect(admin.status).toBe(503);
    expect((await send(collector.url, '/v1/health')).json).toEqual({ status: 'ok' });
  });
});

describe('POST /v1/deletion-requests', () => {
  it('deletes every row of the ids, answers a receipt, and logs no id', async () => {
    const lines: string[] = [];
    restoreLog = setLogSink((_level, line) => lines.push(line));
    collector = await startTestCollector();
    for (const r of reports.slice(0, 120)) expect((await postReport(collector.url, r.payload)).status).toBe(200);
    const ids = [...new Set(reports.slice(0, 120).map((r) => r.payload.id))];
    const before = await collector.store.countRows(ids);
    expect(before).toBeGreaterThan(120);
    const requestedAt = new Date().toISOString();
    const answer = await send(collector.url, '/v1/deletion-requests', {
      json: { type: 'deletion-request', ids: ids.map((id) => id.toUpperCase()), requested_at: requestedAt },
    });
    expect(answer.status).toBe(200);
    expect(answer.json['ids']).toBe(ids.length);
    expect(answer.json['rows_deleted']).toBe(before);
    expect(Date.parse(String(answer.json['deleted_at']))).toBeGreaterThanOrEqual(Date.parse(requestedAt) - 1000);
    expect(await collector.store.countRows(ids)).toBe(0);
    const instance = await send(collector.url, `/v1/instances/${ids[0]}`, { token: TEST_TOKEN });
    expect(instance.json).toEqual({ reports: 0 });
    const logged = lines.join('\n');
    expect(logged).toMatch(new RegExp(`deletion request for ${ids.length} id\\(s\\): ${before} row\\(s\\) deleted`));
    for (const id of ids) expect(logged.toLowerCase()).not.toContain(id.slice(0, 8));
  });

  it.each<[string, unknown, RegExp]>([
    [
      'an extra field',
      { type: 'deletion-request', ids: [instances[0]], requested_at: '2026-11-29T00:00:00Z', contact: 'x' },
      /unknown field/,
    ],
    ['an id that is not a UUID', { type: 'deletion-request', ids: ['alice'], requested_at: '2026-11-29T00:00:00Z' }, /not a UUID/],
    ['no ids', { type: 'deletion-request', ids: [], requested_at: '2026-11-29T00:00:00Z' }, /list of 1 to/],
    ['another type', { type: 'report', ids: [instances[0]], requested_at: '2026-11-29T00:00:00Z' }, /deletion-request/],
  ])('refuses a request with %s', async (_name, body, reason) => {
    collector = await startTestCollector();
    expect((await postReport(collector.url, reports[0]?.payload)).status).toBe(200);
    const answer = await send(collector.url, '/v1/deletion-requests', { json: body });
    expect(answer.status).toBe(400);
    expect(String(answer.json['error'])).toMatch(reason);
    expect(await collector.store.countRows([String(reports[0]?.payload.id)])).toBeGreaterThan(0);
  });
});

describe('the admin API', () => {
  it('needs the token, refuses other origins, and names bad parameters', async () => {
    collector = await startTestCollector();
    const url = collector.url;
    expect((await send(url, '/v1/aggregates')).status).toBe(401);
    expect((await send(url, '/v1/aggregates', { token: 'wrong-token-wrong-token-wrong!!!' })).status).toBe(401);
    expect((await send(url, '/v1/instances/x', { token: 'nope' })).status).toBe(401);
    expect((await send(url, '/v1/aggregates', { token: TEST_TOKEN, headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    const host = new URL(url).host;
    expect((await send(url, '/v1/aggregates', { token: TEST_TOKEN, headers: { Origin: `http://${host}` } })).status).toBe(200);
    const bad = await send(url, '/v1/aggregates?days=0', { token: TEST_TOKEN });
    expect(bad.status).toBe(400);
    expect(String(bad.json['error'])).toMatch(/days must be/);
    expect((await send(url, '/v1/aggregates?hours=3', { token: TEST_TOKEN })).json['error']).toMatch(/unknown query parameter "hours"/);
    expect((await send(url, '/v1/instances/not-a-uuid', { token: TEST_TOKEN })).status).toBe(400);
    const badEscape = await send(url, '/v1/instances/%E0%A4%A', { token: TEST_TOKEN });
    expect(badEscape.status).toBe(400);
    expect(String(badEscape.json['error'])).toMatch(/not valid percent-encoding/);
  });

  it('shows a group only once min_group_size distinct reports back it', async () => {
    collector = await startTestCollector({ minGroupSize: 3 });
    const url = collector.url;
    // The first reports of instances of one platform (the fleet has several per platform).
    const platformOf = (r: (typeof reports)[number] | undefined): unknown =>
      (r?.payload['system'] as Record<string, Record<string, unknown>> | undefined)?.['os']?.['platform'];
    const firsts = instances.map((id) => byInstance.get(id)?.[0]);
    const platform = ['linux', 'darwin', 'win32'].find((p) => firsts.filter((r) => platformOf(r) === p).length >= 3);
    const linux = firsts.filter((r) => platformOf(r) === platform);
    expect(linux.length).toBeGreaterThanOrEqual(3);
    const osCells = async (): Promise<{ value: string; reports: number }[]> => {
      const answer = await send(url, '/v1/aggregates', { token: TEST_TOKEN });
      const dists = answer.json['distributions'] as { dim: string; cells: { value: string; reports: number }[] }[];
      return dists.find((d) => d.dim === 'os')?.cells ?? [];
    };
    for (const r of linux.slice(0, 2)) await postReport(url, r?.payload);
    // A second report of one instance does not make a group of two machines bigger.
    const more = byInstance.get(String(linux[0]?.payload.id))?.[1];
    if (more) await postReport(url, more.payload);
    expect(await osCells()).toEqual([]);
    await postReport(url, linux[2]?.payload);
    expect(await osCells()).toEqual([{ value: platform, reports: 3 }]);
    const csv = await send(url, '/v1/aggregates.csv', { token: TEST_TOKEN });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe(
      'section,source,name,value,reports,count,total,min,max,mean,p50,p95,p99,code,top_frame,versions',
    );
    expect(csv.text).toContain(`\r\ndistribution,,os,${String(platform)},3,`);
    expect(csv.text.match(/distribution,,os,/g)).toHaveLength(1);
    const instance = await send(url, `/v1/instances/${String(linux[0]?.payload.id).toUpperCase()}`, { token: TEST_TOKEN });
    expect(instance.json).toEqual({ reports: more ? 2 : 1 });
  });
});
