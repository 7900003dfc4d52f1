import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { readApiToken } from '../../main/util/api-token.js';
import { buildOnce } from '../support/build.js';
import { childReaper } from '../support/child.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { findChromium, launchChromium } from './browser.js';
import { startCollector, type Collector } from './collector.js';

// The page and a real headless agent in its own process (`candor start --headless`):
// killed, the page says "agent not running" instead of the last state it saw; started
// again on the same port (with a new token), the page says how to reconnect, and takes
// the new address in the same tab.

const CLI = join(APP_ROOT, 'dist/main/cli.js');
const reaper = childReaper();
let box: Sandbox;
let collector: Collector;
let browser: Browser;
let page: Page;
const problems: string[] = [];

interface RunningAgent {
  child: ChildProcess;
  port: number;
  token: string;
  url: string;
}

async function startAgent(port: number): Promise<RunningAgent> {
  const child = reaper.track(
    spawn(process.execPath, [CLI, 'start', '--headless', '--port', String(port), '--data-dir', box.dataDir], {
      cwd: box.cwd,
      env: {
        PATH: process.env['PATH'],
        HOME: box.cwd,
        CANDOR__TELEMETRY__ENDPOINT: `${collector.url}/telemetry`,
        CANDOR__TELEMETRY__FIRST_DELAY_S: '86400',
        CANDOR__SAMPLING__INTERVAL_S: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let output = '';
  const preview = new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /preview: http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the agent exited (${code}) before its preview line:\n${output}`)));
  });
  const actual = await preview;
  const token = readApiToken(box.dataDir);
  if (token === null) throw new Error('the agent wrote no api-token');
  return { child, port: actual, token, url: `http://127.0.0.1:${actual}/` };
}

async function kill(agent: RunningAgent): Promise<void> {
  const exited = once(agent.child, 'exit');
  agent.child.kill('SIGKILL');
  await exited;
}

const headline = (state: string): string => `#state .headline[data-state="${state}"]`;

beforeAll(async () => {
  findChromium();
  buildOnce();
  box = sandbox('candor-liveness-');
  collector = await startCollector();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await reaper.reap();
  await collector?.close();
  box?.cleanup();
});

describe('the page follows whether the agent runs', () => {
  it('says "agent not running" when the agent is killed, and reconnects to the next one', async () => {
    const first = await startAgent(0);
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(`${first.url}#token=${first.token}`);
    await page.waitForSelector(headline('up'));
    const granted = await fetch(`${first.url}consent`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ granted: true }),
    });
    expect(granted.status).toBe(200);
    await page.waitForSelector(`${headline('up')}[data-sending="true"]`);
    expect(await page.textContent('#state .headline')).toContain('Sending is on.');

    await kill(first);
    await page.waitForSelector(headline('down'));
    expect(await page.textContent('#state .headline')).toBe('Agent not running.');
    expect(await page.textContent('#state')).toContain(`Nothing answers at http://127.0.0.1:${first.port}`);
    expect(await page.textContent('body')).not.toContain('Sending is on');
    expect(await page.locator('#state button').count()).toBe(0);

    // Back on the same port, with a new token: the page cannot use it without the person.
    const second = await startAgent(first.port);
    expect(second.port).toBe(first.port);
    expect(second.token).not.toBe(first.token);
    await page.waitForSelector(headline('refused'));
    expect(await page.textContent('#state')).toContain('Open the address it printed');
    expect(await page.textContent('#error')).toContain('refused this page');
    expect(await page.evaluate('sessionStorage.getItem("candor.token")')).toBeNull();

    // The person opens the new address in this tab: the page takes the token and catches up.
    await page.goto(`${second.url}#token=${second.token}`);
    await page.waitForSelector(`${headline('up')}[data-sending="true"]`);
    expect(page.url()).toBe(second.url);
    expect(await page.textContent('#error')).toBe('');
    expect(await page.evaluate('document.querySelector("main").inert')).toBe(false);
    expect(await page.evaluate('sessionStorage.getItem("candor.token")')).toBe(second.token);
    await page.waitForSelector('#payload[aria-busy="false"] li[data-pointer]');

    // A reload keeps working with the new token.
    await page.reload();
    await page.waitForSelector(headline('up'));
    expect(await page.textContent('#error')).toBe('');
    await kill(second);
    await page.waitForSelector(headline('down'));
  });

  it('ran without page errors', () => {
    expect(problems).toEqual([]);
  });
});
