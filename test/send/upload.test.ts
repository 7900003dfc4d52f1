import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { postGzipJson } from '../../main/send/upload.js';
import { Collector, reportJson, type Answer } from './collector.js';

const UA = 'Candor/9.9.9';
let collector: Collector | null = null;

afterEach(async () => {
  await collector?.close();
  collector = null;
});

function post(url: string, json = reportJson(1), extra: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  return postGzipJson({ url, body: gzipSync(json), userAgent: UA, timeoutMs: extra.timeoutMs ?? 5_000, signal: extra.signal });
}

describe('postGzipJson', () => {
  it('POSTs gzip JSON with the exact headers on one connection that does not linger', async () => {
    collector = await Collector.start(() => ({ status: 202 }));
    const json = reportJson(7);
    const result = await post(collector.url, json);
    expect(result).toMatchObject({ kind: 'delivered', status: 202 });
    const [request] = collector.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v1/telemetry');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.headers['user-agent']).toBe(UA);
    expect(request?.headers['content-length']).toBe(String(gzipSync(json).length));
    expect(request?.text).toBe(json);
    expect(collector.connections).toBe(1);
    await collector.allClosed();
    expect(collector.openSockets).toBe(0);
  });

  it('asks for a retry on 5xx, 408 and 429, with Retry-After in seconds or as an HTTP-date', async () => {
    // The date is written when the collector answers: two minutes from then, cut to the second.
    const answers: (() => Answer)[] = [
      () => ({ status: 500 }),
      () => ({ status: 503, headers: { 'Retry-After': '2' } }),
      () => ({ status: 429, headers: { 'Retry-After': new Date(Date.now() + 120_000).toUTCString() } }),
      () => ({ status: 408 }),
    ];
    collector = await Collector.start((_r, i) => answers[i]?.() ?? { status: 200 });
    expect(await post(collector.url)).toMatchObject({ kind: 'retry', status: 500, error: 'HTTP 500 Internal Server Error' });
    expect(await post(collector.url)).toEqual({ kind: 'retry', status: 503, retryAfterMs: 2000, error: 'HTTP 503 Service Unavailable' });
    const limited = await post(collector.url);
    expect(limited).toMatchObject({ kind: 'retry', status: 429 });
    // An HTTP-date has one-second resolution (up to 1 s lost), and the answer's way back costs a little more.
    expect(limited.kind === 'retry' && limited.retryAfterMs).toBeGreaterThan(118_000);
    expect(limited.kind === 'retry' && limited.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(await post(collector.url)).toMatchObject({ kind: 'retry', status: 408 });
  });

  it.each([400, 401, 403, 404, 413])('rejects on %i with the reason from the response', async (status) => {
    collector = await Collector.start(() => ({ status, body: `bad report\u0000 (${status})` }));
    const result = await post(collector.url);
    expect(result.kind).toBe('rejected');
    expect(result).toMatchObject({ status });
    expect(result.kind === 'rejected' && result.error).toMatch(new RegExp(`^HTTP ${status} .*: bad report \\(${status}\\)$`));
  });

  it('does not follow a redirect', async () => {
    collector = await Collector.start((_r, i) =>
      i === 0 ? { status: 302, headers: { Location: 'http://127.0.0.1:1/elsewhere' } } : { status: 200 },
    );
    expect(await post(collector.url)).toMatchObject({ kind: 'retry', status: 302 });
    expect(collector.requests).toHaveLength(1);
  });

  it('reports a refused connection as a retry with its code', async () => {
    const port = await Collector.freePort();
    expect(await post(`http://127.0.0.1:${port}/`)).toEqual({ kind: 'retry', error: 'ECONNREFUSED' });
  });

  it('gives up on a collector that never answers after the timeout, and closes the socket', async () => {
    collector = await Collector.start(() => 'hang');
    const result = await post(collector.url, reportJson(1), { timeoutMs: 150 });
    expect(result).toEqual({ kind: 'retry', error: 'timeout after 150 ms' });
    await collector.allClosed();
  });

  it('aborts a request in flight when the signal fires', async () => {
    collector = await Collector.start(() => 'hang');
    const controller = new AbortController();
    const pending = post(collector.url, reportJson(1), { signal: controller.signal });
    await collector.waitForRequests(1);
    controller.abort();
    expect(await pending).toEqual({ kind: 'retry', error: 'aborted' });
    await collector.allClosed();
  });

  it('opens no connection for an invalid or non-HTTP endpoint or an already aborted signal', async () => {
    collector = await Collector.start();
    expect(await post('not a url')).toMatchObject({ kind: 'retry', error: expect.stringContaining('invalid endpoint URL') });
    expect(await post(`ftp://127.0.0.1:${collector.port}/`)).toMatchObject({ kind: 'retry', error: 'unsupported endpoint protocol ftp:' });
    const controller = new AbortController();
    controller.abort();
    expect(await post(collector.url, reportJson(1), { signal: controller.signal })).toEqual({ kind: 'retry', error: 'aborted' });
    expect(collector.connections).toBe(0);
  });
});
