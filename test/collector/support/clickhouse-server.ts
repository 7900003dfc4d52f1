import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { killAndWait } from '../../support/child.js';

// A real clickhouse-server for the tests: started on a free loopback port with a temp
// --path and its own config (no root needed, no systemd, no system config read), and
// removed afterwards. Debian's package is 18.16; CI installs it (.ci/run). Where the
// binary is missing, the ClickHouse tests are skipped by name with this reason.

const CANDIDATES = ['clickhouse-server'];
const DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/bin'];

export function findClickHouseServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env['CANDOR_CLICKHOUSE_SERVER'];
  if (chosen !== undefined && chosen !== '') return chosen;
  for (const dir of [...(env['PATH'] ?? '').split(delimiter).filter(Boolean), ...DIRS]) {
    for (const name of CANDIDATES) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        /* next */
      }
    }
  }
  return null;
}

export const CLICKHOUSE_BINARY = findClickHouseServer();
export const CLICKHOUSE_SKIP_REASON = 'skipped: clickhouse-server is not installed (apt-get install clickhouse-server; .ci/run does)';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ClickHouseServer {
  url: string;
  port: number;
  /** The server's temp directory (config, logs, and data/ with its files). */
  root: string;
  /** Stops the server (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  query(sql: string): Promise<string>;
}

function config(root: string, port: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${root}/log/server.log</log><errorlog>${root}/log/error.log</errorlog></logger>
  <http_port>${port}</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${root}/data/</path>
  <tmp_path>${root}/data/tmp/</tmp_path>
  <user_files_path>${root}/data/user_files/</user_files_path>
  <format_schema_path>${root}/data/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <timezone>UTC</timezone>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited ${child.exitCode}: ${output().slice(-2000)}`);
    try {
      const response = await fetch(`${url}?query=SELECT%201`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer within ${timeoutMs} ms: ${output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startClickHouse(): Promise<ClickHouseServer> {
  const binary = CLICKHOUSE_BINARY;
  if (binary === null) throw new Error(CLICKHOUSE_SKIP_REASON);
  const root = mkdtempSync(join(tmpdir(), 'candor-clickhouse-'));
  mkdirSync(join(root, 'log'), { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  const port = await freePort();
  writeFileSync(join(root, 'config.xml'), config(root, port));
  writeFileSync(join(root, 'users.xml'), USERS);
  const url = `http://127.0.0.1:${port}/`;
  let child: ChildProcess | null = null;
  let text = '';
  const launch = async (): Promise<void> => {
    text = '';
    child = spawn(binary, [`--config-file=${join(root, 'config.xml')}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
    await waitReady(url, child, () => text);
  };
  await launch();
  const kill = async (): Promise<void> => {
    if (child !== null) await killAndWait(child);
  };
  return {
    url,
    port,
    root,
    kill,
    restart: launch,
    async stop() {
      if (child !== null && child.exitCode === null) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(root, { recursive: true, force: true });
    },
    async query(sql: string) {
      const response = await fetch(url, { method: 'POST', body: sql });
      const body = await response.text();
      if (!response.ok) throw new Error(`ClickHouse: ${body}`);
      return body;
    },
  };
}
