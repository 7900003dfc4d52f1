// A throwaway clickhouse-server for the collector benchmarks: a temp --path and config,
// a free loopback port, no root and no systemd (the same set-up as the tests,
// test/collector/support/clickhouse-server.ts). Null when the binary is missing.

import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function clickhouseBinary() {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/bin']) {
    try {
      accessSync(join(dir, 'clickhouse-server'), constants.X_OK);
      return join(dir, 'clickhouse-server');
    } catch {
      /* next */
    }
  }
  return null;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startClickHouse() {
  const binary = clickhouseBinary();
  if (binary === null) return null;
  const root = mkdtempSync(join(tmpdir(), 'candor-bench-clickhouse-'));
  mkdirSync(join(root, 'data'), { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(root, 'config.xml'),
    `<?xml version="1.0"?><yandex><logger><level>warning</level><log>${root}/server.log</log><errorlog>${root}/error.log</errorlog></logger>` +
      `<http_port>${port}</http_port><listen_host>127.0.0.1</listen_host><path>${root}/data/</path><tmp_path>${root}/data/tmp/</tmp_path>` +
      `<user_files_path>${root}/data/user_files/</user_files_path><format_schema_path>${root}/data/format_schemas/</format_schema_path>` +
      `<mark_cache_size>1073741824</mark_cache_size><timezone>UTC</timezone><users_config>users.xml</users_config>` +
      `<default_profile>default</default_profile><default_database>default</default_database></yandex>\n`,
  );
  writeFileSync(
    join(root, 'users.xml'),
    `<?xml version="1.0"?><yandex><profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>` +
      `<users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>` +
      `<quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows>` +
      `<read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas></yandex>\n`,
  );
  const child = spawn(binary, [`--config-file=${join(root, 'config.xml')}`], { cwd: root, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}?query=SELECT%201`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('clickhouse-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
