import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { childReaper } from '../support/child.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// Issue 10 item 5: files 0600 and folders 0700 whatever the umask. The real headless
// agent (dist/) runs in a shell that set the umask, as a user's login would, and makes
// every kind of file it keeps: settings, the API token, the lock, the sent history
// with a body and the ids, a pending and a refused report, a queued and a refused
// deletion request; then it crashes for real, leaving the crash-report file. Every
// entry of the data directory is then checked.

const posix = process.platform !== 'win32';
const reaper = childReaper();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await reaper.reap();
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A collector with an answer list per path (the last answer repeats). */
async function startCollector(plan: Record<string, number[]>): Promise<{ url: string; close(): Promise<void> }> {
  const seen: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      const answers = plan[path] ?? [404];
      const index = seen[path] ?? 0;
      seen[path] = index + 1;
      res.writeHead(answers[Math.min(index, answers.length - 1)] ?? 404, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const CHILD = (headless: string): string => `
const { startHeadless } = await import(${JSON.stringify(headless)});
const [dataDir, cwd] = process.argv.slice(2);
const handle = await startHeadless({ dataDir, cwd, env: {}, port: 0 });
const { api, sendNow } = handle.agent;
await api.setConsent({ granted: true });
await sendNow(); // delivered: history line, body, ids
await sendNow(); // refused (400): outbox/rejected/
await sendNow(); // collector busy (503): stays in the outbox
await api.requestDeletion({ send: true }); // refused (400): deletion/rejected/
await api.requestDeletion({ send: true }); // collector busy (503): stays queued
process.stdout.write('ready umask=' + process.umask().toString(8) + '\\n');
process.stdin.on('data', () => setImmediate(() => { throw new Error('planned crash for the crash-report file'); }));
`;

interface Entry {
  rel: string;
  mode: number;
  folder: boolean;
}

function walk(root: string, dir = root): Entry[] {
  const out: Entry[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const st = statSync(path);
    out.push({ rel: relative(root, path), mode: st.mode & 0o777, folder: entry.isDirectory() });
    if (entry.isDirectory()) out.push(...walk(root, path));
  }
  return out;
}

const loose = (entries: Entry[]): string[] =>
  entries.filter((e) => e.mode !== (e.folder ? 0o700 : 0o600)).map((e) => `${e.rel} ${e.mode.toString(8)}`);

const EXPECTED: RegExp[] = [
  /^settings\.json$/,
  /^api-token$/,
  /^agent\.lock$/,
  /^history$/,
  /^history\/history\.jsonl$/,
  /^history\/ids\.json$/,
  /^history\/bodies$/,
  /^history\/bodies\/[0-9a-f]{64}\.json$/,
  /^outbox$/,
  /^outbox\/\d{13}-\d{6}-[0-9a-f]{8}\.json\.gz$/,
  /^outbox\/rejected$/,
  /^outbox\/rejected\/.+\.json\.gz$/,
  /^outbox\/rejected\/.+\.reason\.txt$/,
  /^deletion$/,
  /^deletion\/\d{13}-[0-9a-f]{8}\.json$/,
  /^deletion\/rejected$/,
  /^deletion\/rejected\/.+\.json$/,
  /^deletion\/rejected\/.+\.reason\.txt$/,
];

describe.skipIf(!posix)('data directory modes under the umask of the shell that starts the agent', () => {
  it.each(['022', '000'])('umask %s: every file is 0600 and every folder 0700, the crash-report file included', async (umask) => {
    buildOnce();
    const box: Sandbox = sandbox('candor-modes-');
    cleanups.push(() => box.cleanup());
    const collector = await startCollector({ '/ingest': [200, 400, 503], '/delete': [400, 503] });
    cleanups.push(() => collector.close());
    box.writeConfig(
      'config.yaml',
      [
        'telemetry:',
        `  endpoint: ${collector.url}/ingest`,
        `  deletion_endpoint: ${collector.url}/delete`,
        '  first_delay_s: 3600',
        '  details_level: 4',
        'service:',
        '  http_port: 0',
      ].join('\n'),
    );
    const script = join(box.cwd, 'child.mjs');
    writeFileSync(script, CHILD(pathToFileURL(join(APP_ROOT, 'dist/main/headless.js')).href));
    const child = reaper.track(
      spawn('sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, script, box.dataDir, box.cwd], {
        cwd: box.cwd,
        env: { PATH: process.env['PATH'] ?? '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = once(child, 'exit');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => {
        if (stdout.includes('\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`agent exited (${String(code)}) before it was ready: ${stderr}`)));
    });
    expect(stdout.trim()).toBe(`ready umask=${Number.parseInt(umask, 8).toString(8)}`);

    // While it runs (the lock and the token exist only then).
    const running = walk(box.dataDir);
    for (const pattern of EXPECTED)
      expect(
        running.map((e) => e.rel).filter((rel) => pattern.test(rel)),
        String(pattern),
      ).not.toEqual([]);
    expect(loose(running)).toEqual([]);
    expect(statSync(box.dataDir).mode & 0o777).toBe(0o700);

    // A real crash: the crash-report file is written as the process goes down.
    child.stdin.write('crash\n');
    await exited;
    expect(stderr).toContain('planned crash for the crash-report file');
    const after = walk(box.dataDir);
    expect(after.map((e) => e.rel)).toContain('crash-reports.json');
    expect(loose(after)).toEqual([]);
  });
});
