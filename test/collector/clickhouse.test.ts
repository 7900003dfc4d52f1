import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseStore, createTableSql, supportsTtl } from '../../collector/store/clickhouse.js';
import { CLICKHOUSE_BINARY, CLICKHOUSE_SKIP_REASON, startClickHouse, type ClickHouseServer } from './support/clickhouse-server.js';
import { startTestCollector, TEST_TOKEN, type TestCollector } from './support/collector.js';
import { fleet } from './support/fleet.js';
import { postReport, send } from './support/http.js';

// The collector on a real ClickHouse: an outage is a 503 with Retry-After (the agent
// keeps the report), the collector comes back with the server, starts before it, and
// holds no state, so two collectors on one server deduplicate and answer alike.

const reports = fleet({ reports: 300, version: 1, seed: 41 });

describe('ClickHouse table definitions', () => {
  it('add a TTL only where the server has it (19.6 on), and keep the monthly partitions and the ORDER BY', () => {
    expect(supportsTtl('18.16.1')).toBe(false);
    expect(supportsTtl('19.6.2')).toBe(true);
    expect(supportsTtl('24.3.1.2672')).toBe(true);
    const old = createTableSql('timers', { retentionDays: 365, serverVersion: '18.16.1' });
    expect(old).toMatch(/ENGINE = MergeTree PARTITION BY toYYYYMM\(received_on\) ORDER BY \(source, metric, instance_id, report_id\)$/);
    expect(createTableSql('reports', { retentionDays: 30, serverVersion: '23.8.1' })).toMatch(/TTL received_on \+ INTERVAL 30 DAY$/);
  });
});

const title = CLICKHOUSE_BINARY === null ? `the collector on ClickHouse (${CLICKHOUSE_SKIP_REASON})` : 'the collector on ClickHouse';

describe.skipIf(CLICKHOUSE_BINARY === null)(title, () => {
  let server: ClickHouseServer;
  const collectors: TestCollector[] = [];

  beforeAll(async () => {
    server = await startClickHouse();
  }, 120_000);
  afterAll(async () => {
    for (const c of collectors) await c.close();
    await server?.stop();
  }, 60_000);

  async function collectorOn(database: string): Promise<TestCollector> {
    const store = new ClickHouseStore({ url: server.url, database, user: 'default', password: null, retentionDays: 365, timeoutMs: 5000 });
    const c = await startTestCollector({ store });
    collectors.push(c);
    return c;
  }

  it('answers 503 with Retry-After while the server is down, and stores again once it is back', async () => {
    const c = await collectorOn('outage');
    expect((await postReport(c.url, reports[0]?.payload)).status).toBe(200);
    await server.kill();
    const down = await postReport(c.url, reports[1]?.payload);
    expect(down.status).toBe(503);
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    expect(String(down.json['error'])).toMatch(/unreachable/);
    const deletion = await send(c.url, '/v1/deletion-requests', {
      json: { type: 'deletion-request', ids: [reports[0]?.payload.id], requested_at: new Date().toISOString() },
    });
    expect(deletion.status).toBe(503);
    expect((await send(c.url, '/v1/aggregates', { token: TEST_TOKEN })).status).toBe(503);
    expect((await send(c.url, '/v1/health')).status).toBe(200);
    await server.restart();
    const back = await postReport(c.url, reports[1]?.payload);
    expect(back.status).toBe(200);
    expect((await postReport(c.url, reports[0]?.payload)).json['stored']).toBe(false);
  }, 120_000);

  it('starts before the server is up, and creates its tables once it is', async () => {
    await server.kill();
    const c = await collectorOn('late');
    expect((await postReport(c.url, reports[2]?.payload)).status).toBe(503);
    await server.restart();
    expect((await postReport(c.url, reports[2]?.payload)).status).toBe(200);
    expect(await server.query("SELECT count() FROM system.tables WHERE database = 'late'")).toBe('7\n');
  }, 120_000);

  it('lets two collectors share one server: a report taken by one is a duplicate at the other', async () => {
    const a = await collectorOn('shared');
    const b = await collectorOn('shared');
    for (const r of reports.slice(0, 60)) expect((await postReport(a.url, r.payload)).status).toBe(200);
    const again = await Promise.all(reports.slice(0, 60).map((r) => postReport(b.url, r.payload)));
    expect(again.every((x) => x.status === 200 && x.json['stored'] === false)).toBe(true);
    for (const r of reports.slice(60, 120)) expect((await postReport(b.url, r.payload)).json['stored']).toBe(true);
    const fromA = await send(a.url, '/v1/aggregates', { token: TEST_TOKEN });
    const fromB = await send(b.url, '/v1/aggregates', { token: TEST_TOKEN });
    expect(fromA.json['reports']).toBe(new Set(reports.slice(0, 120).map((r) => r.item.reportId)).size);
    expect(fromB.json).toEqual(fromA.json);
  }, 120_000);
});
