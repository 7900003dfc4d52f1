import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';
import { Outbox } from '../../main/send/outbox.js';
import { Sender, type DeliveryState } from '../../main/send/sender.js';
import { APP_ROOT } from '../../main/version.js';
import { startFaultServer, unusedPort, type Fault, type FaultServer } from './support/fault-server.js';
import { recordFigures } from './support/figures.js';
import { captureLogLines, type LogLines } from './support/log-lines.js';
import { runSeed, seeded } from './support/random.js';
import { parseReport, reportId, reportJson } from './support/reports.js';
import { makeSelfSigned, selfSignedUnavailable } from './support/self-signed.js';

// The collector endpoint misbehaving in every way we could think of, against the real
// outbox, ledger and sender on real sockets. The promise under test: a report is
// delivered exactly once, or kept and retried, or set aside in rejected/ with its
// reason; never lost silently. "Delivered" means the collector finished a 2xx answer.

const UPLOAD_TIMEOUT_MS = 300;
const cleanups: (() => Promise<void> | void)[] = [];
let dir: string;
let logs: LogLines;
let faultsInjected = 0;
let casesTried = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-fault-endpoint-'));
  logs = captureLogLines();
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  logs.restore();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  recordFigures('fault-endpoint', { cases: casesTried, faults_injected: faultsInjected });
});

interface Pipeline {
  outbox: Outbox;
  ledger: Ledger;
  sender: Sender;
  states: DeliveryState[];
  retryDelays: number[];
}

function pipeline(endpoint: string): Pipeline {
  const outbox = new Outbox({ dir: join(dir, 'outbox') });
  const ledger = new Ledger({ dir: join(dir, 'history') });
  const states: DeliveryState[] = [];
  const retryDelays: number[] = [];
  const sender = new Sender({
    outbox,
    ledger,
    endpoint: () => endpoint,
    gate: () => ({ sending: true }),
    userAgent: 'Candor/hardening',
    timeoutMs: UPLOAD_TIMEOUT_MS,
    baseBackoffMs: 20,
    maxBackoffMs: 80,
    // A collector's Retry-After wins over the backoff, up to this cap.
    maxRetryAfterMs: 2_000,
    random: () => 0.5,
    onStateChange: (state) => states.push(state),
    onRetryScheduled: (ms) => retryDelays.push(ms),
  });
  cleanups.push(() => sender.stop());
  return { outbox, ledger, sender, states, retryDelays };
}

async function server(options: Parameters<typeof startFaultServer>[0] = {}): Promise<FaultServer> {
  const started = await startFaultServer(options);
  cleanups.push(() => started.close());
  return started;
}

async function queue(outbox: Outbox, count: number, first = 1): Promise<void> {
  for (let n = first; n < first + count; n++) await outbox.add(reportJson(n));
}

const serials = (bodies: readonly string[]): number[] => bodies.map((text) => parseReport(text)?.n ?? -1);

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function rejectedFiles(): string[] {
  const rejected = join(dir, 'outbox', 'rejected');
  return existsSync(rejected) ? readdirSync(rejected).sort() : [];
}

describe('a collector that fails, then recovers', () => {
  const retryable: { name: string; fault: Fault; logged: RegExp }[] = [
    { name: 'answers 500', fault: { status: 500, body: 'boom' }, logged: /HTTP 500/ },
    {
      name: 'answers 503 with an HTML page',
      fault: { status: 503, headers: { 'Content-Type': 'text/html' }, body: '<h1>down for maintenance</h1>' },
      logged: /HTTP 503/,
    },
    {
      name: 'answers 429 with Retry-After: 1',
      fault: { status: 429, headers: { 'Retry-After': '1' } },
      logged: /^candor warn: telemetry endpoint asked us to wait 1 s \(HTTP 429\)$/,
    },
    { name: 'answers 408', fault: { status: 408 }, logged: /HTTP 408/ },
    {
      name: 'redirects (302), which is not followed',
      fault: { status: 302, headers: { Location: 'http://127.0.0.1:1/elsewhere' } },
      logged: /redirects are not followed/,
    },
    { name: 'is slower than the upload timeout', fault: 'hang', logged: new RegExp(`timeout after ${UPLOAD_TIMEOUT_MS} ms`) },
    { name: 'closes the connection before answering', fault: 'close-before-response', logged: /ECONNRESET|socket hang up/ },
    { name: 'closes the connection mid-response', fault: 'close-mid-response', logged: /ECONNRESET|aborted|socket hang up/ },
    { name: 'answers bytes that are not HTTP', fault: 'garbage', logged: /HPE_|Parse Error/ },
  ];

  it.each(retryable)('$name: every report is kept, retried and delivered exactly once', async ({ fault, logged }) => {
    casesTried += 1;
    const collector = await server();
    // The first two attempts (both of report 1) meet the fault; the rest succeed.
    collector.plan((index) => (index < 2 ? fault : { status: 200, body: '{}' }));
    faultsInjected += 2;
    const { outbox, ledger, sender, states, retryDelays } = pipeline(collector.url);
    await queue(outbox, 3);
    sender.start();
    await waitFor(async () => collector.accepted.length >= 3 && (await outbox.list()).length === 0, 'all three reports delivered');

    expect(serials(collector.accepted)).toEqual([1, 2, 3]);
    expect(serials(collector.seen)).toEqual([1, 1, 1, 2, 3]);
    expect(
      ledger
        .list()
        .map((entry) => entry.instance_id)
        .reverse(),
    ).toEqual([1, 2, 3].map(reportId));
    expect(rejectedFiles()).toEqual([]);
    expect(states).toEqual(['retrying', 'ok']);
    expect(retryDelays).toHaveLength(2);
    if (typeof fault === 'object' && fault.status === 429) for (const delay of retryDelays) expect(delay).toBeGreaterThanOrEqual(1000);
    // One line for the change to "retrying", naming the cause; not one per attempt.
    const retryLines = logs.matching(/will retry|asked us to wait/);
    expect(retryLines).toHaveLength(1);
    expect(retryLines[0]).toMatch(logged);
  });

  it('is down (connection refused): reports wait in the outbox and go when it listens', async () => {
    casesTried += 1;
    const port = await unusedPort();
    const { outbox, sender, retryDelays } = pipeline(`http://127.0.0.1:${port}/v1/telemetry`);
    await queue(outbox, 2);
    sender.start();
    await waitFor(() => retryDelays.length >= 3, 'three refused attempts');
    faultsInjected += retryDelays.length;
    expect((await outbox.list()).length).toBe(2);
    expect(sender.state).toBe('retrying');
    expect(logs.matching(/will retry \(ECONNREFUSED\)/)).toHaveLength(1);

    const collector = await server({ port });
    await waitFor(async () => (await outbox.list()).length === 0, 'the outbox to drain once the collector listens');
    expect(serials(collector.accepted)).toEqual([1, 2]);
    expect(logs.matching(/reachable again/)).toHaveLength(1);
  });
});

describe('a collector that refuses a report', () => {
  it.each([
    { status: 413, body: 'payload too large: 6291456 > 5242880 bytes' },
    { status: 400, body: '{"error":"schema_version 1 is not supported"}' },
    { status: 422, body: '' },
  ])(
    'answers $status: that report goes to rejected/ with its reason, the others are delivered, nothing is retried',
    async ({ status, body }) => {
      casesTried += 1;
      faultsInjected += 1;
      const collector = await server();
      collector.plan((index) => (index === 1 ? { status, body } : { status: 200, body: '{}' }));
      const { outbox, sender } = pipeline(collector.url);
      await queue(outbox, 3);
      await sender.flush();

      expect(serials(collector.accepted)).toEqual([1, 3]);
      expect(serials(collector.seen)).toEqual([1, 2, 3]);
      expect(await outbox.list()).toEqual([]);
      const files = rejectedFiles();
      expect(files).toHaveLength(2);
      const reasonFile = files.find((name) => name.endsWith('.reason.txt')) ?? '';
      const reportFile = files.find((name) => name.endsWith('.json.gz')) ?? '';
      const reason = readFileSync(join(dir, 'outbox', 'rejected', reasonFile), 'utf8');
      expect(reason).toContain(`HTTP ${status}`);
      if (body !== '') expect(reason).toContain(body.slice(0, 20));
      // The log names the report and where it went.
      expect(logs.matching(new RegExp(`rejected report .*HTTP ${status}.*moved to .*${reportFile.replace(/\./g, '\\.')}`))).toHaveLength(1);
      // Refused is final: a later flush sends nothing more.
      await sender.flush();
      expect(collector.seen).toHaveLength(3);
    },
  );
});

describe('a collector with a certificate nobody vouches for', () => {
  const unavailable = selfSignedUnavailable();

  it.skipIf(unavailable !== null)(
    `refuses a self-signed certificate and keeps retrying; verification is never turned off${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    async () => {
      casesTried += 1;
      expect(process.env['NODE_TLS_REJECT_UNAUTHORIZED']).toBeUndefined();
      const cert = makeSelfSigned(dir);
      const collector = await server({ tls: cert });
      const { outbox, sender } = pipeline(collector.url);
      await queue(outbox, 1);
      sender.start();
      await waitFor(() => collector.tlsFailures() >= 3, 'three refused handshakes');
      faultsInjected += collector.tlsFailures();

      // Not one byte of the report crossed: no request was ever read by the server.
      expect(collector.seen).toEqual([]);
      expect((await outbox.list()).length).toBe(1);
      expect(sender.state).toBe('retrying');
      expect(
        logs.matching(/will retry \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/),
      ).toHaveLength(1);
    },
  );

  it.skipIf(unavailable !== null)(
    `delivers to the same server once the certificate is trusted (NODE_EXTRA_CA_CERTS): the refusal was the verification${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    async () => {
      casesTried += 1;
      const cert = makeSelfSigned(dir);
      const collector = await server({ tls: cert });
      // A separate process, because the extra CA is read once at Node's start; it runs the built uploader.
      const script = `
      import { postGzipJson } from ${JSON.stringify(join(APP_ROOT, 'dist/main/send/upload.js'))};
      import { gzipSync } from 'node:zlib';
      const result = await postGzipJson({ url: process.argv[1], body: gzipSync(process.argv[2]), userAgent: 'Candor/hardening', timeoutMs: 5000 });
      process.stdout.write(JSON.stringify(result));`;
      const run = (env: NodeJS.ProcessEnv): Promise<string> =>
        promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, collector.url, reportJson(7)], {
          env: { PATH: process.env['PATH'] ?? '', ...env },
        }).then((out) => out.stdout);
      expect(JSON.parse(await run({}))).toMatchObject({
        kind: 'retry',
        error: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) as unknown,
      });
      expect(JSON.parse(await run({ NODE_EXTRA_CA_CERTS: cert.certFile }))).toMatchObject({ kind: 'delivered', status: 200 });
      expect(serials(collector.accepted)).toEqual([7]);
    },
  );
});

describe('a storm of mixed faults', () => {
  it('delivers every report exactly once or sets it aside with a reason; none is lost', async () => {
    casesTried += 1;
    const seed = runSeed();
    const random = seeded(seed);
    const menu: Fault[] = [
      { status: 500 },
      { status: 502, body: 'bad gateway' },
      { status: 429, headers: { 'Retry-After': '0' } },
      { status: 408 },
      'close-before-response',
      'close-mid-response',
      'garbage',
    ];
    const collector = await server();
    let injected = 0;
    collector.plan(() => {
      const roll = random();
      if (roll < 0.4) return { status: 200, body: '{}' };
      if (roll < 0.45) return { status: 413, body: 'too large' };
      injected += 1;
      // A hang costs a whole upload timeout: rarer than the rest.
      if (roll > 0.97) return 'hang';
      return menu[Math.floor(random() * menu.length)] ?? { status: 500 };
    });
    const total = 30;
    const { outbox, sender, ledger } = pipeline(collector.url);
    await queue(outbox, total);
    sender.start();
    await waitFor(async () => (await outbox.list()).length === 0, `the outbox to drain (seed ${seed})`, 25_000);
    faultsInjected += injected;

    const delivered = serials(collector.accepted);
    const rejected = rejectedFiles()
      .filter((name) => name.endsWith('.json.gz'))
      .map((name) => parseReport(gunzipText(join(dir, 'outbox', 'rejected', name)))?.n ?? -1);
    const message = `seed ${seed}`;
    expect(new Set(delivered).size, message).toBe(delivered.length);
    expect(
      delivered.filter((n) => rejected.includes(n)),
      message,
    ).toEqual([]);
    expect(
      [...delivered, ...rejected].sort((a, b) => a - b),
      message,
    ).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(ledger.list(), message).toHaveLength(delivered.length);
    expect(
      rejectedFiles().filter((name) => name.endsWith('.reason.txt')),
      message,
    ).toHaveLength(rejected.length);
    recordFigures('fault-endpoint-storm', {
      seed,
      reports: total,
      requests: collector.seen.length,
      faults_injected: injected,
      delivered: delivered.length,
      rejected: rejected.length,
      lost: 0,
    });
  }, 30_000);
});

function gunzipText(file: string): string {
  return gunzipSync(readFileSync(file)).toString('utf8');
}
