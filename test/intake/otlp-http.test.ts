import { Agent } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Intake, IntakeOptions } from '../../main/intake/intake.js';
import { startIntake } from './support/intake-fixture.js';
import {
  attr,
  counter,
  counterPoint,
  JSON_TYPE,
  logsRequest,
  metricsRequest,
  partialOf,
  PROTOBUF_TYPE,
  protobufOf,
  send,
  statusOf,
  type Json,
} from './support/otlp-bodies.js';

// The OTLP/HTTP answers, request by request, in both encodings: what an SDK (or
// anything else on the machine) gets for each kind of request.

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

async function open(options: Partial<IntakeOptions> = {}): Promise<number> {
  const started = await startIntake({ operator: { allow: ['shop-api'] }, ...options });
  intake = started.intake;
  return started.port;
}

const ENCODINGS = [
  { name: 'json', type: JSON_TYPE, body: (signal: 'metrics' | 'logs', m: Json) => Buffer.from(JSON.stringify(m)) },
  { name: 'protobuf', type: PROTOBUF_TYPE, body: (signal: 'metrics' | 'logs', m: Json) => protobufOf(signal, m) },
] as const;

describe.each(ENCODINGS)('over $name', ({ type, body }) => {
  it('a valid request: 200, a full success (no partial_success), the answer in the same encoding', async () => {
    const port = await open();
    const answer = await send(
      port,
      '/v1/metrics',
      body('metrics', metricsRequest('shop-api', [counter('jobs.done', [counterPoint(4)])])),
      type,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(type['Content-Type']);
    expect(partialOf('metrics', answer)).toEqual({ rejected: 0, message: '' });
    expect(intake?.rawSources()[0]?.counters).toEqual({ 'jobs.done': 4 });
  });

  it('gzip bodies are inflated', async () => {
    const port = await open();
    const zipped = gzipSync(body('metrics', metricsRequest('shop-api', [counter('jobs.done', [counterPoint(6)])])));
    const answer = await send(port, '/v1/metrics', zipped, { ...type, 'Content-Encoding': 'gzip' });
    expect(answer.status).toBe(200);
    expect(intake?.rawSources()[0]?.counters).toEqual({ 'jobs.done': 6 });
  });

  it('invalid points: 200 with a partial success counting them and naming the first; the valid ones are kept', async () => {
    const port = await open();
    const points = [
      counterPoint(4, [attr('route', '/a')]),
      counterPoint(-3, [attr('route', '/b')]),
      counterPoint(5, [attr('route', '/c')]),
    ];
    const answer = await send(port, '/v1/metrics', body('metrics', metricsRequest('shop-api', [counter('jobs.done', points)])), type);
    expect(answer.status).toBe(200);
    const partial = partialOf('metrics', answer);
    expect(partial.rejected).toBe(1);
    expect(partial.message).toContain('resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[1]');
    expect(intake?.rawSources()[0]?.counters).toEqual({ 'jobs.done': 9 });
  });

  it('logs: error records are kept as error inputs, others counted; an invalid record is rejected in the partial success', async () => {
    const port = await open();
    const records = [
      { severityNumber: 17, body: { stringValue: 'payment failed' }, attributes: [attr('exception.type', 'PaymentError')] },
      { severityNumber: 9, body: { stringValue: 'hello' } },
      { severityNumber: 5, attributes: [attr('exception.message', 'caught and logged at debug')] },
    ];
    const answer = await send(port, '/v1/logs', body('logs', logsRequest('shop-api', records)), type);
    expect(answer.status).toBe(200);
    expect(partialOf('logs', answer)).toEqual({ rejected: 0, message: '' });
    const section = intake?.rawSources()[0];
    expect(section?.errors.captured.map((e) => [e.type, e.message]).sort()).toEqual([
      ['Error', 'caught and logged at debug'],
      ['PaymentError', 'payment failed'],
    ]);
    expect(section?.dropped['not_collected_log']).toBe(1);
  });

  it('a body that is not a request: 400 with a google.rpc.Status naming the problem', async () => {
    const port = await open();
    const garbage = type === JSON_TYPE ? Buffer.from('{"resourceMetrics": [') : Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    const answer = await send(port, '/v1/metrics', garbage, type);
    expect(answer.status).toBe(400);
    const status = statusOf(answer);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(type === JSON_TYPE ? /not valid JSON/ : /not a valid protobuf ExportMetricsServiceRequest/);
  });

  it('a truncated gzip body: 400', async () => {
    const port = await open();
    const zipped = gzipSync(body('metrics', metricsRequest('shop-api', [counter('jobs.done', [counterPoint(6)])])));
    const answer = await send(port, '/v1/metrics', zipped.subarray(0, zipped.length - 9), { ...type, 'Content-Encoding': 'gzip' });
    expect(answer.status).toBe(400);
    expect(statusOf(answer).message).toMatch(/not valid gzip/);
  });

  it('/v1/traces: 404 with a message that says why and how to stop it (no SDK retries a 404)', async () => {
    const port = await open();
    const agent = new Agent({ keepAlive: true });
    const spans = Buffer.from(type === JSON_TYPE ? '{"resourceSpans":[]}' : [0x0a, 0x00]);
    const answer = await send(port, '/v1/traces', spans, type, 'POST', agent);
    expect(answer.status).toBe(404);
    expect(statusOf(answer).message).toMatch(/does not collect traces.*OTEL_TRACES_EXPORTER=none/);
    // The body was read: the connection stays open for the exporter's next batch.
    expect(answer.headers['connection']).toBe('keep-alive');
    agent.destroy();
  });
});

describe('refusals', () => {
  const valid = Buffer.from(JSON.stringify(metricsRequest('shop-api', [counter('jobs.done', [counterPoint(1)])])));

  it('a request with an Origin header (a web page) is refused: 403, nothing taken', async () => {
    const port = await open();
    const answer = await send(port, '/v1/metrics', valid, { ...JSON_TYPE, Origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(statusOf(answer).message).toMatch(/Origin/);
    const local = await send(port, '/v1/metrics', valid, { ...JSON_TYPE, Origin: `http://127.0.0.1:${port}` });
    expect(local.status).toBe(403);
    expect(intake?.sources().filter((s) => s.seen)).toEqual([]);
  });

  it('a Host other than 127.0.0.1:port or localhost:port (DNS rebinding) is refused: 421', async () => {
    const port = await open();
    expect((await send(port, '/v1/metrics', valid, { ...JSON_TYPE, Host: `attacker.example:${port}` })).status).toBe(421);
    expect((await send(port, '/v1/metrics', valid, { ...JSON_TYPE, Host: `localhost:${port}` })).status).toBe(200);
  });

  it('415 for another content type or encoding; 404 and 405 elsewhere', async () => {
    const port = await open();
    expect((await send(port, '/v1/metrics', valid, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await send(port, '/v1/metrics', valid, { ...JSON_TYPE, 'Content-Encoding': 'br' })).status).toBe(415);
    expect((await send(port, '/v1/spans', valid, JSON_TYPE)).status).toBe(404);
    const get = await send(port, '/v1/metrics', Buffer.alloc(0), {}, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
  });

  it('413 for a body over the bound: declared, streamed without a length, or inflating past its bound', async () => {
    const port = await open({ limits: { maxBodyBytes: 4096, maxInflatedBytes: 64 * 1024 } });
    const big = Buffer.alloc(5000, 0x20);
    const declared = await send(port, '/v1/metrics', big, JSON_TYPE);
    expect(declared.status).toBe(413);
    const streamed = await send(port, '/v1/metrics', [big.subarray(0, 3000), big.subarray(3000)], {
      ...JSON_TYPE,
      'Transfer-Encoding': 'chunked',
    });
    expect(streamed.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(4096);
    const inflated = await send(port, '/v1/metrics', bomb, { ...JSON_TYPE, 'Content-Encoding': 'gzip' });
    expect(inflated.status).toBe(413);
    expect(statusOf(inflated).message).toMatch(/inflates to more than 65536 bytes/);
    // Still serving.
    expect((await send(port, '/v1/metrics', valid, JSON_TYPE)).status).toBe(200);
  });

  it('503 with Retry-After when too many bytes are in flight at once', async () => {
    const port = await open({ limits: { maxInFlightBytes: 100 } });
    const answer = await send(port, '/v1/metrics', valid, JSON_TYPE);
    expect(valid.length).toBeGreaterThan(100);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('2');
  });

  it('429 with Retry-After once the CPU budget of the second is spent', async () => {
    const port = await open({ limits: { busyMsPerSecond: 0.000001 } });
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    // The first request spends the budget; the next one within the second is shed.
    for (let i = 0; i < 20 && !statuses.includes(429); i++) {
      const answer = await send(port, '/v1/metrics', valid, JSON_TYPE);
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers['retry-after'];
    }
    expect(statuses[0]).toBe(200);
    expect(statuses).toContain(429);
    expect(retryAfter).toBe('1');
    expect(intake?.stats().requests['shed_busy']).toBeGreaterThanOrEqual(1);
  });
});
