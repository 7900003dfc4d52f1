import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { childReaper } from '../support/child.js';
import { makeAppCopy, type AppCopy } from './app-copy.js';
import { executablePath, refusingAddress, startMirror, type Mirror } from './electron-mirror.js';

// `npm start` (scripts/start.mjs) on a copy of the app: with a display and a reachable
// mirror it downloads Electron through Electron's own installer and launches it with the
// app directory; offline or without a display it says why in one line and runs the
// headless agent. The mirror is a real HTTP server on 127.0.0.1 serving a stand-in zip.

const ELECTRON_VERSION = (JSON.parse(readFileSync(join(APP_ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string })
  .version;
const REAL_ELECTRON = join(APP_ROOT, 'node_modules/electron');
const realElectronFiles = (): string[] => readdirSync(REAL_ELECTRON).sort();

const reaper = childReaper();
const copies: AppCopy[] = [];
const mirrors: Mirror[] = [];
let realBefore: string[] = [];

beforeAll(() => {
  buildOnce();
  realBefore = realElectronFiles();
});
afterEach(async () => {
  await reaper.reap();
  await Promise.all(mirrors.splice(0).map((m) => m.close()));
});
afterAll(() => {
  for (const copy of copies.splice(0)) copy.cleanup();
});

/** The test's environment minus anything that would steer Electron's installer or Candor. */
function cleanEnv(copy: AppCopy, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_config_electron|npm_package_config_electron|electron_|candor|do_not_track$|display$|wayland_display$)/i.test(key)) continue;
    env[key] = value;
  }
  const home = join(copy.scratch, 'home');
  mkdirSync(home, { recursive: true });
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), electron_config_cache: join(copy.scratch, 'cache'), ...extra };
}

interface Run {
  child: ChildProcess;
  lines: string[];
  waitForLine(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

function runStart(copy: AppCopy, env: NodeJS.ProcessEnv): Run {
  const work = join(copy.scratch, 'work');
  mkdirSync(join(work, 'config'), { recursive: true });
  const child = reaper.track(
    spawn(process.execPath, [copy.startScript, '--data-dir', join(copy.scratch, 'data'), '--port', '0'], {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let partial = '';
  const take = (chunk: Buffer): void => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    lines,
    exited,
    waitForLine(pattern) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`start.mjs exited (${code}) before printing ${pattern}:\n${lines.join('\n')}`)));
      });
    },
  };
}

/** Waits for the headless agent's preview line and page, then stops it as Ctrl-C would. */
async function expectHeadless(run: Run): Promise<void> {
  const line = await run.waitForLine(/^candor info: preview: http:\/\/127\.0\.0\.1:\d+\//);
  // The agent installs its SIGINT handler just after printing that line: a page served
  // means its event loop has turned since, so the handler is there.
  const page = await fetch(/http:\/\/127\.0\.0\.1:\d+\//.exec(line)?.[0] ?? '');
  expect(page.status).toBe(200);
  await page.text();
  run.child.kill('SIGINT');
  const code = await run.exited;
  expect({ code, signal: run.child.signalCode }, run.lines.join('\n')).toEqual({ code: 0, signal: null });
}

const fallbackLines = (run: Run): string[] => run.lines.filter((line) => line.startsWith('candor: desktop app unavailable'));

function newCopy(): AppCopy {
  const copy = makeAppCopy();
  copies.push(copy);
  return copy;
}

// The stand-in Electron is a shell script.
describe.skipIf(process.platform === 'win32')('npm start', { timeout: 120_000 }, () => {
  it('downloads Electron through its installer from the mirror, checks it, and launches it with the app directory', async () => {
    const copy = newCopy();
    const argvFile = join(copy.scratch, 'electron-argv.txt');
    const mirror = await startMirror({ version: ELECTRON_VERSION, argvFile });
    mirrors.push(mirror);
    const env = cleanEnv(copy, { DISPLAY: ':candor-test', ELECTRON_MIRROR: mirror.url, electron_use_remote_checksums: '1' });

    const first = runStart(copy, env);
    expect(await first.exited, first.lines.join('\n')).toBe(0);
    expect(first.lines).toContain(`candor: downloading the Electron ${ELECTRON_VERSION} binary from ${mirror.host} (once, about 100 MB)…`);
    expect(first.lines.some((line) => line.startsWith(`candor: Electron ${ELECTRON_VERSION} is installed (`))).toBe(true);
    expect(fallbackLines(first)).toEqual([]);
    // The checksum file was fetched from the mirror, and the zip was checked against it.
    expect(mirror.requests).toEqual(expect.arrayContaining([`/v${ELECTRON_VERSION}/SHASUMS256.txt`]));
    expect(mirror.requests.filter((path) => path.endsWith('.zip'))).toHaveLength(1);
    // The stand-in ran with the app directory and the arguments npm start was given.
    const argv = readFileSync(argvFile, 'utf8').split('\n');
    expect(argv[0]).toBe(copy.root);
    expect(argv.slice(1, 5)).toEqual(['--data-dir', join(copy.scratch, 'data'), '--port', '0']);
    expect(readFileSync(join(copy.electronDir, 'path.txt'), 'utf8')).toBe(executablePath());

    // The next start finds the binary: no second download.
    const requestsBefore = mirror.requests.length;
    const second = runStart(copy, env);
    expect(await second.exited, second.lines.join('\n')).toBe(0);
    expect(mirror.requests).toHaveLength(requestsBefore);
    expect(second.lines.filter((line) => line.includes('downloading'))).toEqual([]);
  });

  it('offline: says in one line that the download failed, and runs the headless agent', async () => {
    const copy = newCopy();
    const offline = await refusingAddress();
    const run = runStart(
      copy,
      cleanEnv(copy, { DISPLAY: ':candor-test', ELECTRON_MIRROR: offline.url, electron_use_remote_checksums: '1' }),
    );
    await expectHeadless(run);
    expect(fallbackLines(run)).toEqual([
      `candor: desktop app unavailable: could not download the Electron ${ELECTRON_VERSION} binary from ${offline.host} (TypeError: fetch failed); running the headless agent instead.`,
    ]);
    // No stack trace from the installer reaches the terminal.
    expect(run.lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
    expect(existsSync(join(copy.electronDir, 'path.txt'))).toBe(false);
  });

  it('refuses a download whose checksum does not match, and runs the headless agent', async () => {
    const copy = newCopy();
    const argvFile = join(copy.scratch, 'electron-argv.txt');
    const mirror = await startMirror({ version: ELECTRON_VERSION, argvFile, wrongChecksum: true });
    mirrors.push(mirror);
    const run = runStart(
      copy,
      cleanEnv(copy, { DISPLAY: ':candor-test', ELECTRON_MIRROR: mirror.url, electron_use_remote_checksums: '1' }),
    );
    await expectHeadless(run);
    const [line] = fallbackLines(run);
    expect(line).toMatch(
      /could not download the Electron .* binary from 127\.0\.0\.1:\d+ \(.*checksum.*\); running the headless agent instead\.$/,
    );
    expect(existsSync(argvFile)).toBe(false);
    expect(existsSync(join(copy.electronDir, 'path.txt'))).toBe(false);
  });

  it('without a display: says so, downloads nothing, and runs the headless agent', async () => {
    const copy = newCopy();
    const mirror = await startMirror({ version: ELECTRON_VERSION, argvFile: join(copy.scratch, 'electron-argv.txt') });
    mirrors.push(mirror);
    const run = runStart(copy, cleanEnv(copy, { ELECTRON_MIRROR: mirror.url, electron_use_remote_checksums: '1' }));
    await expectHeadless(run);
    expect(fallbackLines(run)).toEqual([
      'candor: desktop app unavailable: there is no display (DISPLAY and WAYLAND_DISPLAY are unset); running the headless agent instead.',
    ]);
    expect(mirror.requests).toEqual([]);
  });

  it('never touched the shared node_modules/electron', () => {
    expect(realElectronFiles()).toEqual(realBefore);
  });
});
