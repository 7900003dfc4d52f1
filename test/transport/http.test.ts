import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls } from '../../main/api.js';
import { startHeadless, type HeadlessHandle } from '../../main/headless.js';
import { Payload } from '../../main/report/payload-schema.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// The loopback API against a real headless agent: envelope, bad parameters, the
// Host/Origin/token defences, Prometheus output, and errors posted from outside.

let box: Sandbox;
let agent: HeadlessHandle;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

function call(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; token?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { Host: `127.0.0.1:${agent.port}`, ...opts.headers };
  const token = opts.token === undefined ? agent.token : opts.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: agent.port, path, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

beforeAll(async () => {
  box = sandbox();
  agent = await startHeadless({ dataDir: box.dataDir, cwd: box.cwd, env: {}, port: 0 });
});

afterAll(async () => {
  await agent.close();
  box.cleanup();
});

describe('GET /telemetry (Qdrant-compatible)', () => {
  it('returns the envelope with a schema-valid anonymized payload at the asked level', async () => {
    const reply = await call('/telemetry?details_level=4&anonymize=true');
    expect(reply.status).toBe(200);
    const body = reply.json();
    expect(body['status']).toBe('ok');
    expect(typeof body['time']).toBe('number');
    const payload = Payload.parse(body['result']);
    expect(payload.details_level).toBe(4);
    expect(payload.anonymized).toBe(true);
    expect(payload.errors).toBeDefined();
    expect(payload.id).toBe(agent.agent.telemetryId);
  });

  it('treats levels above 4 as 4 and defaults to level 0, anonymized', async () => {
    const high = Payload.parse((await call('/telemetry?details_level=99')).json()['result']);
    expect(high.details_level).toBe(4);
    const dflt = Payload.parse((await call('/telemetry')).json()['result']);
    expect(dflt.details_level).toBe(0);
    expect(dflt.anonymized).toBe(true);
    expect(dflt.instance).toBeUndefined();
  });

  it.each([
    ['details_level=-1', 'details_level'],
    ['details_level=abc', 'details_level'],
    ['details_level=1.5', 'details_level'],
    ['anonymize=maybe', 'anonymize'],
    ['timeout=0', 'timeout'],
    ['timeout=x', 'timeout'],
    ['details_level=1&details_level=2', 'details_level'],
    ['colour=blue', 'colour'],
  ])('rejects %s with 400 naming %s', async (query, name) => {
    const reply = await call(`/telemetry?${query}`);
    expect(reply.status).toBe(400);
    const body = reply.json();
    expect((body['status'] as { error: string }).error).toContain(name);
    expect(typeof body['time']).toBe('number');
  });
});

describe('security', () => {
  it('rejects a missing or wrong token with 401 on every API route', async () => {
    const routes = [
      { method: 'GET', path: '/telemetry' },
      { method: 'GET', path: '/metrics' },
      { method: 'GET', path: '/events' },
      ...Object.values(calls).map((c) => c.http),
    ];
    for (const { method, path } of routes) {
      expect((await call(path, { method, token: null })).status, path).toBe(401);
      expect((await call(path, { method, token: 'f'.repeat(48) })).status, path).toBe(401);
    }
  });

  it('rejects a foreign Host (DNS rebinding) even with the right token', async () => {
    for (const host of [
      'evil.example:80',
      `evil.example:${agent.port}`,
      `127.0.0.1:${agent.port + 1}`,
      '127.0.0.1',
      `localhost.evil.example:${agent.port}`,
    ]) {
      const reply = await call('/status', { headers: { Host: host } });
      expect(reply.status, host).toBe(421);
    }
    expect((await call('/status', { headers: { Host: `localhost:${agent.port}` } })).status).toBe(200);
  });

  it('answers a malformed request target with 400 and keeps running', async () => {
    const { connect } = await import('node:net');
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(agent.port, '127.0.0.1', () => {
        socket.write(`GET http://[zz HTTP/1.1\r\nHost: 127.0.0.1:${agent.port}\r\nConnection: close\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply.split('\r\n')[0]).toContain('400');
    expect((await call('/status')).status).toBe(200);
  });

  it('rejects a request without any Host header', async () => {
    const { connect } = await import('node:net');
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(agent.port, '127.0.0.1', () => {
        socket.write(`GET /status HTTP/1.0\r\nAuthorization: Bearer ${agent.token}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply.split('\r\n')[0]).toContain('421');
  });

  it('rejects a foreign Origin (CSRF) and accepts our own', async () => {
    const evil = await call('/pause', {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      body: '{"duration":"1h"}',
    });
    expect(evil.status).toBe(403);
    const ours = await call('/status', { headers: { Origin: `http://127.0.0.1:${agent.port}` } });
    expect(ours.status).toBe(200);
  });

  it('serves the preview page without data and with a strict CSP', async () => {
    const reply = await call('/', { token: null });
    if (reply.status === 404) return; // renderer not built in this run
    expect(reply.status).toBe(200);
    expect(String(reply.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(reply.text).not.toContain(agent.token);
  });
});

describe('AgentApi routes', () => {
  it('answers GET routes with the envelope and validates query input', async () => {
    const preview = (await call('/preview?details_level=1&anonymize=false')).json();
    expect(preview['status']).toBe('ok');
    const result = preview['result'] as { payload: unknown; changes: unknown[] };
    expect(Payload.parse(result.payload).anonymized).toBe(false);
    const bad = await call('/preview?details_level=1&anonymize=yes');
    expect(bad.status).toBe(400);
    expect((bad.json()['status'] as { error: string }).error).toMatch(/anonymize/);
  });

  it('types query values by the contract: an all-digit hash stays a string', async () => {
    const digits = await call(`/history/body?sha256=${'1'.repeat(64)}`);
    expect(digits.status).toBe(200);
    expect(digits.json()['result']).toEqual({ body: null });
    const unknown = await call('/status?verbose=1');
    expect(unknown.status).toBe(400);
    expect((unknown.json()['status'] as { error: string }).error).toContain('verbose');
  });

  it('rejects unknown fields, wrong types and non-JSON bodies on POST routes', async () => {
    const unknown = await call('/pause', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"duration":"1h","extra":1}',
    });
    expect(unknown.status).toBe(400);
    expect((unknown.json()['status'] as { error: string }).error).toMatch(/extra|unrecognized/i);
    const wrong = await call('/consent', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"granted":"yes"}' });
    expect(wrong.status).toBe(400);
    expect((wrong.json()['status'] as { error: string }).error).toContain('granted');
    const notJson = await call('/consent', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{granted' });
    expect(notJson.status).toBe(400);
    expect((notJson.json()['status'] as { error: string }).error).toMatch(/JSON/);
    const form = await call('/consent', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'granted=true',
    });
    expect(form.status).toBe(415);
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const huge = JSON.stringify({ type: 'Error', message: 'x'.repeat(1_100_000) });
    const reply = await call('/errors', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: huge });
    expect(reply.status).toBe(413);
  });

  it('pauses and resumes through POST routes, visible in GET /status', async () => {
    const paused = (
      await call('/pause', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"duration":"until-restart"}' })
    ).json();
    expect((paused['result'] as { reasons: string[] }).reasons).toContain('paused until restart');
    const status = (await call('/status')).json()['result'] as { reasons: string[]; paused_until: string | null };
    expect(status.paused_until).toBe('restart');
    await call('/resume', { method: 'POST' });
    const after = (await call('/status')).json()['result'] as { reasons: string[] };
    expect(after.reasons).not.toContain('paused until restart');
  });

  it('answers 404 and 405 with the envelope', async () => {
    const missing = await call('/nope');
    expect(missing.status).toBe(404);
    expect((missing.json()['status'] as { error: string }).error).toContain('/nope');
    const method = await call('/pause', { method: 'GET' });
    expect(method.status).toBe(405);
  });

  it('records an error posted to /errors and shows it scrubbed in the level-4 payload', async () => {
    const message = 'cannot open /home/alice/secret/plan.txt for alice@example.com from 10.20.30.40';
    const reply = await call('/errors', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'TypeError', message, stack: `TypeError: ${message}\n    at open (/home/alice/app/x.js:1:2)` }),
    });
    expect(reply.status).toBe(200);
    const payload = Payload.parse((await call('/telemetry?details_level=4')).json()['result']);
    const captured = payload.errors?.captured.find((e) => e.type === 'TypeError' && e.source === 'renderer');
    expect(captured).toBeDefined();
    const text = JSON.stringify(captured);
    for (const secret of ['alice', '10.20.30.40', 'example.com', 'secret/plan']) expect(text).not.toContain(secret);
    expect(captured?.message).toMatch(/<home>|<path>/);
    expect(captured?.message).toContain('<ip>');
    expect(captured?.message).toContain('<email>');
  });
});

describe('GET /metrics', () => {
  it('is Prometheus text exposition that names the API request timer', async () => {
    await call('/status');
    const reply = await call('/metrics');
    expect(reply.status).toBe(200);
    expect(String(reply.headers['content-type'])).toContain('text/plain; version=0.0.4');
    const lines = reply.text.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /);
      else expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?([0-9.e+-]+|\+Inf|NaN)$/);
    }
    expect(reply.text).toContain('candor_api_request_ms_bucket');
  });
});

describe('GET /events', () => {
  it('streams the status now and on every change', async () => {
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${agent.port}/events`, {
      headers: { Authorization: `Bearer ${agent.token}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    if (!response.body) throw new Error('no body on /events');
    const reader = response.body.getReader();
    const events: string[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    const readEvent = async (): Promise<Record<string, unknown>> => {
      while (!buffer.includes('\n\n')) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value);
      }
      const end = buffer.indexOf('\n\n');
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      events.push(event);
      return JSON.parse(event.replace(/^data: /, '')) as Record<string, unknown>;
    };
    const first = await readEvent();
    expect(first['telemetry_id']).toBe(agent.agent.telemetryId);
    await agent.agent.api.disable({});
    let next = await readEvent();
    while (next['user_disabled'] !== true) next = await readEvent();
    expect((next['reasons'] as string[]).some((r) => r.startsWith('disabled by you'))).toBe(true);
    await agent.agent.api.enable({});
    controller.abort();
  });
});
