import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { LOCK_FILE } from '../../main/util/instance-lock.js';
import { childReaper } from '../support/child.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// `candor start` as a foreground process: it logs the telemetry id and the preview URL,
// refuses a second agent on the same data directory naming the first, and shuts down
// cleanly on SIGTERM and SIGINT (exit 0, lock released).

let box: Sandbox;
// A failed assertion must not leave an agent running on the sandbox it is about to remove.
const reaper = childReaper();
afterEach(async () => {
  await reaper.reap();
  box.cleanup();
});

function start(args: string[] = []): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    [join(APP_ROOT, 'dist/main/cli.js'), 'start', '--headless', '--port', '0', '--data-dir', box.dataDir, ...args],
    {
      cwd: box.cwd,
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  reaper.track(child);
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('candor start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'logs its id and URL, refuses a second agent, and stops cleanly on %s',
    async (signal) => {
      box = sandbox();
      const first = start();
      await waitFor(() => /preview: http:\/\/127\.0\.0\.1:\d+\//.test(first.output()), 'the preview URL');
      expect(first.output()).toMatch(/telemetry id: [0-9a-f-]{36}/);
      expect(first.output()).toMatch(/sending: off \(.*no consent given yet/);
      expect(existsSync(join(box.dataDir, LOCK_FILE))).toBe(true);

      const second = start();
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`pid ${first.child.pid}`);

      first.child.kill(signal);
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain(`${signal}: shutting down`);
      expect(existsSync(join(box.dataDir, LOCK_FILE))).toBe(false);
    },
    40_000,
  );
});
