import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE, adminTokenFromFile } from '../../collector/admin-token.js';
import { collectorSettings } from '../../collector/config.js';
import { retentionCutoff } from '../../collector/retention.js';
import { ConfigError } from '../../main/control/config-load.js';
import { APP_ROOT } from '../../main/version.js';
import { childReaper } from '../support/child.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { send } from './support/http.js';

// The collector's settings (the `collector:` section, CANDOR__COLLECTOR__ variables,
// flags), its data dir and admin token, and the command line's answers to bad input.

let box: Sandbox;
const reaper = childReaper();
beforeEach(() => {
  box = sandbox('candor-collector-config-');
});
afterEach(async () => {
  await reaper.reap();
  box.cleanup();
});

function candor(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), ...args], {
    cwd: box.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('collector settings', () => {
  it('read the collector section, nested ClickHouse keys, variables over files and flags over both', () => {
    box.writeConfig(
      'config.yaml',
      [
        'collector:',
        '  listen: 127.0.0.1:7001',
        '  min_group_size: 10',
        '  clickhouse:',
        '    url: http://db.internal:8123',
        '    user: candor',
        '',
      ].join('\n'),
    );
    const env = { CANDOR__COLLECTOR__RETENTION_DAYS: '30', CANDOR__COLLECTOR__CLICKHOUSE__DATABASE: 'fleet' };
    const fromFiles = collectorSettings({ dataDir: box.dataDir }, env, box.cwd);
    expect(fromFiles).toMatchObject({ host: '127.0.0.1', port: 7001, dir: join(box.dataDir, 'collector') });
    expect(fromFiles.config).toMatchObject({
      min_group_size: 10,
      retention_days: 30,
      admin_token: null,
      clickhouse: { url: 'http://db.internal:8123', user: 'candor', database: 'fleet', password: null },
    });
    const flagged = collectorSettings({ dataDir: box.dataDir, listen: '[::1]:0', clickhouse: 'https://ch.example:8443' }, env, box.cwd);
    expect(flagged).toMatchObject({ host: '::1', port: 0 });
    expect(flagged.config.clickhouse.url).toBe('https://ch.example:8443');
    // CANDOR_DATA_DIR when there is no flag: the collector's files go in its own folder.
    expect(collectorSettings({}, { CANDOR_DATA_DIR: box.dataDir }, box.cwd).dir).toBe(join(box.dataDir, 'collector'));
  });

  it.each<[string, string, NodeJS.ProcessEnv, RegExp]>([
    [
      'a threshold of 1',
      'collector:\n  min_group_size: 1\n',
      {},
      /config\.yaml:2: collector\.min_group_size: expected an integer of at least 2/,
    ],
    [
      'a typo in a nested key',
      'collector:\n  clickhouse:\n    urll: http://x\n',
      {},
      /collector\.clickhouse\.urll: unknown key \(did you mean collector\.clickhouse\.url\?\)/,
    ],
    [
      'credentials in the ClickHouse URL',
      'collector:\n  clickhouse:\n    url: http://u:p@x:8123\n',
      {},
      /collector\.clickhouse\.url: expected ClickHouse's HTTP interface/,
    ],
    [
      'a short admin token',
      '',
      { CANDOR__COLLECTOR__ADMIN_TOKEN: 'short' },
      /CANDOR__COLLECTOR__ADMIN_TOKEN: collector\.admin_token: expected 16 to 256/,
    ],
    ['a listen address without port', '', { CANDOR__COLLECTOR__LISTEN: '127.0.0.1' }, /collector\.listen: expected HOST:PORT/],
  ])('refuse %s, naming where and what', (_name, yaml, env, message) => {
    if (yaml !== '') box.writeConfig('config.yaml', yaml);
    expect(() => collectorSettings({ dataDir: box.dataDir }, env, box.cwd)).toThrow(ConfigError);
    expect(() => collectorSettings({ dataDir: box.dataDir }, env, box.cwd)).toThrow(message);
  });

  it('count retention in whole days of arrival', () => {
    expect(retentionCutoff(new Date('2026-11-29T12:00:00Z'), 365)).toBe('2025-11-29');
    expect(retentionCutoff(new Date('2026-11-29T00:00:00Z'), 1)).toBe('2026-11-28');
  });
});

describe('the admin token file', () => {
  it('is made user-only once, reused, and replaced (the old one kept aside) when unusable', () => {
    const dir = join(box.dataDir, 'collector');
    const first = adminTokenFromFile(dir);
    expect(first.created).toBe(true);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(adminTokenFromFile(dir)).toEqual({ ...first, created: false });
    chmodSync(first.file, 0o644);
    const third = adminTokenFromFile(dir);
    expect(third.created).toBe(true);
    expect(third.token).not.toBe(first.token);
    writeFileSync(third.file, 'short\n', { mode: 0o600 });
    expect(adminTokenFromFile(dir).token).toMatch(/^[0-9a-f]{48}$/);
    expect(readdirSync(dir).filter((f) => f.startsWith(`${ADMIN_TOKEN_FILE}.unusable-`))).toHaveLength(2);
  });
});

describe('candor collector on the command line', () => {
  it.each([
    [['collector', '--listen', 'nowhere'], /--listen.*expected HOST:PORT/],
    [['collector', '--listen', '127.0.0.1:99999'], /expected HOST:PORT/],
    [['collector', '--clickhouse', 'ftp://db:21'], /--clickhouse: expected ClickHouse's HTTP interface/],
    [['collector', '--bogus'], /--bogus/],
  ])('%j exits 2 with one line naming the argument', (args, message) => {
    const { code, stderr } = candor([...args, '--data-dir', box.dataDir]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('says the port is taken, and how to choose another', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const { code, stderr } = candor(['collector', '--listen', `127.0.0.1:${port}`, '--data-dir', box.dataDir]);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is taken.*--listen HOST:PORT`));
  });

  it('takes the admin token from CANDOR__COLLECTOR__ADMIN_TOKEN and writes no token file', async () => {
    const token = 'operator-chosen-token-1234567890';
    const child = reaper.track(
      spawn(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), 'collector', '--listen', '127.0.0.1:0', '--data-dir', box.dataDir], {
        cwd: box.cwd,
        env: { PATH: process.env['PATH'] ?? '', CANDOR__COLLECTOR__ADMIN_TOKEN: token },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    let output = '';
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 30_000;
    while (!/listening on (\S+)/.test(output)) {
      if (Date.now() > deadline) throw new Error(`no listening line: ${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const url = /listening on (\S+)/.exec(output)?.[1] ?? '';
    expect((await send(url, '/v1/aggregates', { token })).status).toBe(200);
    expect((await send(url, '/v1/aggregates', { token: `${token}x` })).status).toBe(401);
    expect(existsSync(join(box.dataDir, 'collector', ADMIN_TOKEN_FILE))).toBe(false);
    expect(output).not.toContain(token);
    expect(output).toContain('#token=<admin token>');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(readFileSync(join(box.dataDir, 'collector', 'collector.duckdb')).length).toBeGreaterThan(0);
  });
});
