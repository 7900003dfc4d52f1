import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLock } from '../../main/util/instance-lock.js';
import { buildOnce } from '../support/build.js';
import type { Sandbox } from '../support/temp-dirs.js';
import { agentSays, apiToken, baseEnv, candor, CLI, newBox, track, waitFor } from './support.js';

// The terminal gets a working preview link (the token in it is for the person who
// started the agent); a log file the agent's output goes to never holds the token.

beforeAll(() => buildOnce(), 120_000);

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0 && process.platform === 'linux';

/** The page and the API both open with the link's token. */
async function linkWorks(link: string): Promise<void> {
  const url = new URL(link);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  expect(token).toMatch(/^[0-9a-f]{48}$/);
  const page = await fetch(new URL('/', url));
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<html');
  expect(await agentSays(Number(url.port), token)).toHaveProperty('sending');
}

function lockPid(box: Sandbox): number | null {
  return readLock(box.dataDir)?.pid ?? null;
}

describe('no terminal (a service: output to a log file, no keyboard)', () => {
  it('the log names the page and a command that prints the link, never the token; that command works', async () => {
    const box = newBox();
    const logFile = join(box.cwd, 'agent.log');
    const fd = openSync(logFile, 'w');
    const child = track(
      spawn(process.execPath, [CLI, 'start', '--headless', '--port', '0', '--data-dir', box.dataDir], {
        cwd: box.cwd,
        env: baseEnv(),
        stdio: ['ignore', fd, fd],
      }),
    );
    closeSync(fd);
    await waitFor(() => readFileSync(logFile, 'utf8').includes('local API: '), 'the agent to announce its API');
    const log = readFileSync(logFile, 'utf8');
    const token = apiToken(box);
    expect(log).not.toContain(token);
    const command = /preview: http:\/\/127\.0\.0\.1:\d+\/ \(open it with its access token: `([^`]+)` prints the link/.exec(log)?.[1];
    expect(command).toBeDefined();
    // Typed as the log gives it.
    const typed = spawnSync('/bin/sh', ['-c', command ?? 'false'], { cwd: box.cwd, env: baseEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(typed.status, typed.stderr).toBe(0);
    await linkWorks(typed.stdout.trim());
    expect(candor(box, ['api-token']).stdout.trim()).toBe(token);
    child.kill('SIGTERM');
  }, 60_000);
});

describe.skipIf(!hasScript)('started from a terminal (a pseudo-terminal made by script(1))', () => {
  it.each([
    ['stderr to a file', '2>agent.log'],
    ['stdout and stderr to a file', '>agent.log 2>&1'],
  ])(
    '%s: the terminal shows a working link; the file does not hold the token',
    async (_what, redirect) => {
      const box = newBox();
      const command = `exec ${process.execPath} ${CLI} start --headless --port 0 --data-dir ${box.dataDir} ${redirect}`;
      const child = track(
        spawn('script', ['-qfec', command, '/dev/null'], {
          cwd: box.cwd,
          env: baseEnv({ SHELL: '/bin/sh' }),
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      let terminal = '';
      child.stdout.on('data', (c: Buffer) => (terminal += c.toString()));
      const logFile = join(box.cwd, 'agent.log');
      const logged = (): string => {
        try {
          return readFileSync(logFile, 'utf8');
        } catch {
          return '';
        }
      };
      await waitFor(() => logged().includes('local API: ') && /#token=[0-9a-f]+/.test(terminal), 'the link on the terminal and the log');
      const link = /candor: preview: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(terminal)?.[1];
      expect(link, terminal).toBeDefined();
      await linkWorks(link ?? '');
      expect(link).toContain(apiToken(box));
      const log = logged();
      expect(log).not.toContain(apiToken(box));
      expect(log).toMatch(
        /preview: http:\/\/127\.0\.0\.1:\d+\/ \(the link with its access token is on the terminal that started the agent/,
      );
      const pid = lockPid(box);
      if (pid !== null) process.kill(pid, 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
    60_000,
  );

  it('stderr is the terminal: the link is there, in the log line itself', async () => {
    const box = newBox();
    const command = `exec ${process.execPath} ${CLI} start --headless --port 0 --data-dir ${box.dataDir}`;
    const child = track(
      spawn('script', ['-qfec', command, '/dev/null'], {
        cwd: box.cwd,
        env: baseEnv({ SHELL: '/bin/sh' }),
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    let terminal = '';
    child.stdout.on('data', (c: Buffer) => (terminal += c.toString()));
    await waitFor(() => terminal.includes('local API: '), 'the agent to announce its API');
    const link = /candor info: preview: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(terminal)?.[1];
    expect(link, terminal).toBeDefined();
    await linkWorks(link ?? '');
    const pid = lockPid(box);
    if (pid !== null) process.kill(pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }, 60_000);
});
