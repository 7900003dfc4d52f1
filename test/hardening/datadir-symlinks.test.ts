import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../main/agent.js';
import { loadPersisted, writePersistedSync } from '../../main/collect/errors-persist.js';
import { openSettingsStore } from '../../main/control/settings-store.js';
import { startHeadless } from '../../main/headless.js';
import { DeletionQueue } from '../../main/send/deletion.js';
import { Ledger } from '../../main/send/ledger.js';
import { Outbox } from '../../main/send/outbox.js';
import { Sender } from '../../main/send/sender.js';
import { createApiToken, readApiToken } from '../../main/util/api-token.js';
import { DataDirError } from '../../main/util/data-dir.js';
import { SYMLINK_REFUSAL } from '../../main/util/safe-open.js';
import { Collector, captureLog, reportJson } from '../send/collector.js';
import { fastSendingConfig, sandbox, type Sandbox } from '../support/temp-dirs.js';

// Issue 10 item 5: Candor never follows a symbolic link in its data directory. Each
// case plants a link to a "victim" file whose contents Candor would gladly use (valid
// settings granting consent, a valid report, valid ids...), so following the link
// would show: the victim read, sent, appended to, or rewritten.
//  - At start, the data directory check refuses any link, naming it (the agent does
//    not start).
//  - A link planted later, past that check, is refused by the open itself (O_NOFOLLOW),
//    or replaced by an atomic rename, never written through.

const posix = process.platform !== 'win32';
const ID = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const cleanups: (() => Promise<void> | void)[] = [];
let logs: ReturnType<typeof captureLog>;
beforeEach(() => {
  logs = captureLog();
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  logs.restore();
});

function victimFile(root: string, name: string, contents: string | Buffer): { path: string; unchanged(): void } {
  const path = join(root, `victim-${name}`);
  writeFileSync(path, contents, { mode: 0o644 });
  const before = statSync(path, { bigint: true });
  return {
    path,
    unchanged() {
      const now = statSync(path, { bigint: true });
      expect(readFileSync(path)).toEqual(Buffer.isBuffer(contents) ? contents : Buffer.from(contents));
      expect(now.mode).toBe(before.mode);
      expect(now.mtimeNs).toBe(before.mtimeNs);
    },
  };
}

const refusal = (path: string): string => `${path} ${SYMLINK_REFUSAL}`;

describe.skipIf(!posix)('a link in the data directory at start', () => {
  // One real run leaves every kind of file; each case copies it and swaps one file for a link.
  let seed: Sandbox;
  let names: Record<string, string>;
  beforeAll(async () => {
    seed = sandbox('candor-links-seed-');
    const collector = await Collector.start((_req, index) => ({ status: index === 0 ? 200 : 503 }));
    try {
      seed.writeConfig(
        'config.yaml',
        fastSendingConfig(collector.url).replace(
          'telemetry:\n',
          `telemetry:\n  deletion_endpoint: http://127.0.0.1:${collector.port}/delete\n`,
        ),
      );
      const handle = await startHeadless({ dataDir: seed.dataDir, cwd: seed.cwd, env: {}, port: 0 });
      await handle.agent.api.setConsent({ granted: true });
      await handle.agent.sendNow(); // delivered
      await handle.agent.sendNow(); // 503: stays queued
      await handle.agent.api.requestDeletion({ send: true }); // 503: stays queued
      await handle.close();
    } finally {
      await collector.close();
    }
    writePersistedSync(join(seed.dataDir, 'crash-reports.json'), { captured: [], dropped: 1 });
    const one = (dir: string, pattern: RegExp): string => {
      const name = readdirSync(join(seed.dataDir, dir)).find((n) => pattern.test(n));
      if (name === undefined) throw new Error(`the seed run left no ${pattern} in ${dir}`);
      return join(dir, name);
    };
    names = {
      'history body': one('history/bodies', /^[0-9a-f]{64}\.json$/),
      'outbox report': one('outbox', /\.json\.gz$/),
      'deletion request': one('deletion', /^\d{13}-[0-9a-f]{8}\.json$/),
    };
  });
  afterAll(() => seed.cleanup());

  it.each([
    'settings.json',
    'agent.lock',
    'api-token',
    'crash-reports.json',
    'history/history.jsonl',
    'history/ids.json',
    'history body',
    'outbox report',
    'outbox/state.json',
    'deletion request',
    'history',
    'outbox',
  ])('%s: the agent does not start, and the error names the link', async (what) => {
    const root = mkdtempSync(join(tmpdir(), 'candor-links-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const dataDir = join(root, 'data');
    cpSync(seed.dataDir, dataDir, { recursive: true });
    const rel = names[what] ?? what;
    const target = join(dataDir, rel);
    const victim = join(root, 'victim');
    if (existsSync(target) && lstatSync(target).isDirectory()) cpSync(target, victim, { recursive: true });
    else writeFileSync(victim, existsSync(target) ? readFileSync(target) : '{}');
    rmSync(target, { recursive: true, force: true });
    symlinkSync(victim, target);
    const before = readdirSync(root, { recursive: true }).length;

    const error = await startHeadless({ dataDir, cwd: seed.cwd, env: {}, port: 0 }).then(
      (handle) => handle.close().then(() => null),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DataDirError);
    expect((error as Error).message).toContain(refusal(target));
    expect((error as Error).message).toContain(`rm ${target}`);
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
    expect(readdirSync(root, { recursive: true }).length).toBe(before); // nothing written anywhere
    // The passive CLI path refuses the same way.
    await expect(createAgent({ mode: 'cli', passive: true, dataDir, cwd: seed.cwd, env: {} })).rejects.toThrow(refusal(target));
  });
});

describe.skipIf(!posix)('a link planted after the start check', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'candor-links-late-'));
    dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o700 });
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  });

  it('ledger: a delivery is not appended through history.jsonl, and a kept body is not read through its link', async () => {
    const history = join(dir, 'history');
    const ledger = new Ledger({ dir: history });
    const line = `${JSON.stringify({ time: '2026-01-01T00:00:00.000Z', instance_id: ID, details_level: 1, bytes: 1, sha256: 'b'.repeat(64) })}\n`;
    const victim = victimFile(root, 'history', line);
    symlinkSync(victim.path, join(history, 'history.jsonl'));
    const sha = createHash('sha256').update('{}').digest('hex');
    await expect(
      ledger.append({ time: new Date().toISOString(), instance_id: ID, details_level: 1, bytes: 2, sha256: sha }, '{}'),
    ).rejects.toThrow(refusal(join(history, 'history.jsonl')));
    victim.unchanged();

    const body = victimFile(root, 'body', '{"secret":"someone else’s"}');
    rmSync(join(history, 'bodies', `${sha}.json`), { force: true });
    symlinkSync(body.path, join(history, 'bodies', `${sha}.json`));
    expect(() => ledger.body(sha)).toThrow(refusal(join(history, 'bodies', `${sha}.json`)));
    body.unchanged();
  });

  it('outbox: a link under a report name is never sent; state.json through a link is not read', async () => {
    const outboxDir = join(dir, 'outbox');
    mkdirSync(outboxDir, { mode: 0o700 });
    const gz = gzipSync(reportJson(1, { id: ID }));
    const victim = victimFile(root, 'report', gz);
    const name = '1700000000000-000001-0a1b2c3d.json.gz';
    symlinkSync(victim.path, join(outboxDir, name));
    const state = victimFile(root, 'state', '{"dropped":41}');
    symlinkSync(state.path, join(outboxDir, 'state.json'));

    const outbox = new Outbox({ dir: outboxDir });
    // state.json: unreadable through the link, moved aside (the link, not its target), count starts at 0.
    expect(outbox.droppedCount()).toBe(0);
    expect(logs.lines.some((l) => l.includes(refusal(join(outboxDir, 'state.json'))))).toBe(true);

    const collector = await Collector.start(() => ({ status: 200 }));
    cleanups.push(() => collector.close());
    const sender = new Sender({
      outbox,
      ledger: new Ledger({ dir: join(dir, 'history') }),
      endpoint: () => collector.url,
      gate: () => ({ sending: true }),
      userAgent: 'Candor/test',
    });
    cleanups.push(() => sender.stop());
    await sender.flush();
    expect(collector.requests).toHaveLength(0);
    expect(await outbox.list()).toEqual([]);
    expect(logs.lines.filter((l) => l.includes(refusal(join(outboxDir, name))))).toHaveLength(1);
    await outbox.list();
    expect(logs.lines.filter((l) => l.includes(refusal(join(outboxDir, name))))).toHaveLength(1); // said once
    victim.unchanged();
    state.unchanged();
  });

  it('settings: not read through a link at open, nor after it (a link could grant consent)', () => {
    const granted = JSON.stringify({ schema_version: 1, consent: { state: 'granted', at: '2026-01-01T00:00:00.000Z' } });
    const victim = victimFile(root, 'settings', granted);
    symlinkSync(victim.path, join(dir, 'settings.json'));
    expect(() => openSettingsStore({ dataDir: dir, watch: false })).toThrow(refusal(join(dir, 'settings.json')));
    rmSync(join(dir, 'settings.json'));

    const store = openSettingsStore({ dataDir: dir, watch: false });
    cleanups.push(() => store.close());
    symlinkSync(victim.path, join(dir, 'settings.json'));
    expect(() => store.get()).toThrow(refusal(join(dir, 'settings.json')));
    victim.unchanged();
  });

  it('crash-report file: a link is moved aside, not read, and its target is left as it was', () => {
    const file = join(dir, 'crash-reports.json');
    writePersistedSync(join(root, 'valid.json'), { captured: [], dropped: 7 });
    const victim = victimFile(root, 'crash', readFileSync(join(root, 'valid.json')));
    symlinkSync(victim.path, file);
    expect(loadPersisted(file, new Date())).toBeUndefined();
    expect(logs.lines.some((l) => l.includes(refusal(file)))).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('crash-reports.json.corrupt-'))).toHaveLength(1);
    victim.unchanged();
  });

  it('api token: not read through a link (it would be sent as a bearer token); a new token replaces the link', () => {
    const victim = victimFile(root, 'token', 'someone-elses-secret\n');
    symlinkSync(victim.path, join(dir, 'api-token'));
    expect(() => readApiToken(dir)).toThrow(refusal(join(dir, 'api-token')));
    const token = createApiToken(dir);
    expect(lstatSync(join(dir, 'api-token')).isSymbolicLink()).toBe(false);
    expect(readApiToken(dir)).toBe(token);
    victim.unchanged();
  });

  it('ids.json: a write-ahead record replaces the link instead of writing through it', () => {
    const ledger = new Ledger({ dir: join(dir, 'history') });
    const victim = victimFile(root, 'ids', '["someone-else"]\n');
    symlinkSync(victim.path, join(dir, 'history', 'ids.json'));
    ledger.recordIdDurably(ID);
    expect(lstatSync(join(dir, 'history', 'ids.json')).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'history', 'ids.json'), 'utf8'))).toEqual([ID]);
    victim.unchanged();
  });

  it('deletion queue: a link under a request name is not sent; it is moved to corrupt/ with the reason', async () => {
    const queueDir = join(dir, 'deletion');
    const collector = await Collector.start(() => ({ status: 200 }));
    cleanups.push(() => collector.close());
    const queue = new DeletionQueue({ dir: queueDir, endpoint: () => collector.url, gate: () => true, userAgent: 'Candor/test' });
    cleanups.push(() => queue.stop());
    const victim = victimFile(root, 'deletion', JSON.stringify({ type: 'deletion-request', ids: ['someone-else'], requested_at: 'x' }));
    const name = '1700000000000-0a1b2c3d.json';
    symlinkSync(victim.path, join(queueDir, name));
    await queue.flush();
    expect(collector.requests).toHaveLength(0);
    expect(logs.lines.some((l) => l.includes(refusal(join(queueDir, name))))).toBe(true);
    expect(lstatSync(join(queueDir, 'corrupt', name)).isSymbolicLink()).toBe(true);
    victim.unchanged();
  });
});
