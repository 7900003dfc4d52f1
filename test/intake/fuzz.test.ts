import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Intake } from '../../main/intake/intake.js';
import { startIntake } from './support/intake-fixture.js';
import {
  attr,
  counter,
  counterPoint,
  JSON_TYPE,
  metricsRequest,
  partialOf,
  PROTOBUF_TYPE,
  protobufOf,
  send,
  statusOf,
  type Json,
} from './support/otlp-bodies.js';

// Hostile bodies through the real HTTP route. Every one gets a clear answer (200 with
// what was taken, or a 4xx naming the problem), never a 5xx, and the intake keeps
// serving. The flood (a million series) runs in fuzz-flood.test.ts, in its own process.

let intake: Intake;
let port: number;
beforeAll(async () => {
  ({ intake, port } = await startIntake({ operator: { allow: ['fuzz-app'] } }));
});
afterAll(async () => {
  await intake.close();
});

const valid = metricsRequest('fuzz-app', [counter('jobs.done', [counterPoint(1, [attr('route', '/a')])])]);
const validProtobuf = protobufOf('metrics', valid);

async function answerOf(body: Buffer, type: Record<string, string>, path = '/v1/metrics'): Promise<{ status: number; message: string }> {
  const answer = await send(port, path, body, type);
  expect(answer.status === 200 || (answer.status >= 400 && answer.status < 500), `status ${answer.status}`).toBe(true);
  return { status: answer.status, message: answer.status === 200 ? partialOf('metrics', answer).message : statusOf(answer).message };
}

describe('malformed protobuf', () => {
  it('random bytes: 200 (they happened to decode) or 400 naming the decoder failure', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => {
        const { status, message } = await answerOf(Buffer.from(bytes), PROTOBUF_TYPE);
        if (status !== 200) expect(message).toMatch(/not a valid protobuf ExportMetricsServiceRequest: /);
      }),
      { numRuns: 150 },
    );
  });

  it('a valid body truncated or with a byte changed: 200 or 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(validProtobuf.length - 1), fc.integer({ min: 0, max: 255 }), fc.boolean(), async (at, byte, truncate) => {
        const body = Buffer.from(validProtobuf);
        const mutated = truncate ? body.subarray(0, at) : (body.writeUInt8(byte, at), body);
        await answerOf(mutated, PROTOBUF_TYPE);
      }),
      { numRuns: 150 },
    );
  });

  it('huge varints and lengths: 400', async () => {
    // Field 1 (resource_metrics), length as an 11-byte varint: more than 64 bits.
    const hugeVarint = Buffer.from([0x0a, ...Array<number>(10).fill(0xff), 0x01]);
    expect((await answerOf(hugeVarint, PROTOBUF_TYPE)).status).toBe(400);
    // A length of 2^31 (beyond int32), then one of 2^31 - 1 with 3 bytes behind it.
    const overLength = await answerOf(Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3]), PROTOBUF_TYPE);
    expect(overLength.status).toBe(400);
    expect(overLength.message).toMatch(/invalid length encoding/);
    const pastEnd = await answerOf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3]), PROTOBUF_TYPE);
    expect(pastEnd.status).toBe(400);
    expect(pastEnd.message).toMatch(/index out of range/);
  });

  it('nesting deeper than the decoder allows (100 levels): 400', async () => {
    // Written field by field (the encoder refuses such depth itself): a resource attribute
    // whose AnyValue is a key-value list holding an AnyValue ... 200 times.
    const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
    const field = (number: number, bytes: Buffer): Buffer =>
      Buffer.concat([Buffer.from([(number << 3) | 2, ...varint(bytes.length)]), bytes]);
    const text = (number: number, value: string): Buffer => field(number, Buffer.from(value));
    let anyValue = text(1, 'leaf'); // AnyValue.string_value
    for (let i = 0; i < 200; i++) anyValue = field(6, field(1, Buffer.concat([text(1, 'k'), field(2, anyValue)]))); // kvlist_value { values { key, value } }
    const deep = field(1, field(1, field(1, Buffer.concat([text(1, 'deep'), field(2, anyValue)])))); // request.resource_metrics.resource.attributes
    const { status, message } = await answerOf(deep, PROTOBUF_TYPE);
    expect(status).toBe(400);
    expect(message).toMatch(/max depth exceeded/);
  });

  it('unknown fields are skipped, whatever their size, and the known ones taken', async () => {
    const before = intake.rawSources()[0]?.counters['jobs.done'] ?? 0;
    // Field 99, length-delimited, 1 MiB of junk; field 98, varint.
    const junk = Buffer.alloc(1024 * 1024, 0xab);
    const unknown = Buffer.concat([Buffer.from([0x9a, 0x06, 0x80, 0x80, 0x40]), junk, Buffer.from([0x90, 0x06, 0x2a])]);
    const answer = await answerOf(
      Buffer.concat([unknown, protobufOf('metrics', metricsRequest('fuzz-app', [counter('jobs.more', [counterPoint(7)])]))]),
      PROTOBUF_TYPE,
    );
    expect(answer).toEqual({ status: 200, message: '' });
    expect(intake.rawSources()[0]?.counters['jobs.more']).toBe(7);
    expect(intake.rawSources()[0]?.counters['jobs.done']).toBe(before);
  });
});

describe('malformed JSON', () => {
  it('any JSON value in place of the request, a resource, a metric or a point: 200 (with rejections) or 400', async () => {
    const places = (v: unknown): Json[] => [
      { resourceMetrics: v },
      { resourceMetrics: [v] },
      { resourceMetrics: [{ resource: v, scopeMetrics: [] }] },
      metricsRequest('fuzz-app', [v as Json]),
      metricsRequest('fuzz-app', [counter('jobs.done', [v as Json])]),
      metricsRequest('fuzz-app', [counter('jobs.done', [{ ...counterPoint(1), attributes: v }])]),
      metricsRequest('fuzz-app', [
        { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ count: v, bucketCounts: v, explicitBounds: v }] } },
      ]),
    ];
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.nat(6), async (value, where) => {
        await answerOf(Buffer.from(JSON.stringify(places(value)[where])), JSON_TYPE);
      }),
      { numRuns: 200 },
    );
    const top = await answerOf(Buffer.from('[1,2,3]'), JSON_TYPE);
    expect(top).toEqual({ status: 400, message: 'the body is not an ExportMetricsServiceRequest object' });
  });

  it('unknown keys at every level are ignored', async () => {
    const request = metricsRequest('fuzz-app', [
      { ...counter('jobs.json', [{ ...counterPoint(3), exemplarsX: [1], future: { a: 1 } }]), metadataX: 'x' },
    ]);
    const extended = {
      ...request,
      extra: true,
      resourceMetrics: (request['resourceMetrics'] as Json[]).map((rm) => ({ ...rm, schemaUrlX: 'x' })),
    };
    expect(await answerOf(Buffer.from(JSON.stringify(extended)), JSON_TYPE)).toEqual({ status: 200, message: '' });
    expect(intake.rawSources()[0]?.counters['jobs.json']).toBe(3);
  });

  it('100,000 levels of nesting inside an attribute value: read, not looked into; the attribute is dropped and counted', async () => {
    const depth = 100_000;
    const deepValue = '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' + ']}}'.repeat(depth);
    const point = JSON.stringify(counterPoint(2)).replace('"attributes":[]', `"attributes":[{"key":"deep","value":${deepValue}}]`);
    const body = JSON.stringify(metricsRequest('fuzz-app', [counter('jobs.deep', [])])).replace(
      '"dataPoints":[]',
      `"dataPoints":[${point}]`,
    );
    const before = intake.rawSources()[0]?.dropped['attribute_value_not_scalar'] ?? 0;
    expect(await answerOf(Buffer.from(body), JSON_TYPE)).toEqual({ status: 200, message: '' });
    expect(intake.rawSources()[0]?.counters['jobs.deep']).toBe(2);
    expect(intake.rawSources()[0]?.dropped['attribute_value_not_scalar']).toBe(before + 1);
  });

  it('a truncated gzip stream in either encoding: 400; the intake still serves after everything above', async () => {
    for (const [type, body] of [
      [JSON_TYPE, Buffer.from(JSON.stringify(valid))],
      [PROTOBUF_TYPE, validProtobuf],
    ] as const) {
      const zipped = gzipSync(body);
      for (const cut of [1, 10, zipped.length - 1]) {
        const { status } = await answerOf(zipped.subarray(0, cut), { ...type, 'Content-Encoding': 'gzip' });
        expect(status).toBe(400);
      }
    }
    expect((await answerOf(Buffer.from(JSON.stringify(valid)), JSON_TYPE)).status).toBe(200);
  });
});
