import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { AgentStatus } from '../../main/api.js';
import { startHeadless, type HeadlessHandle } from '../../main/headless.js';
import { buildOnce } from '../support/build.js';
import { findChromium, launchChromium } from './browser.js';
import { startCollector, type Collector } from './collector.js';

// One real headless agent, delivering to a real collector on 127.0.0.1, and a real
// Chromium with the preview page open on it. Each test file gets its own.

export interface Harness {
  handle: HeadlessHandle;
  collector: Collector;
  browser: Browser;
  page: Page;
  /** Page errors and console errors of every page opened here. */
  problems: string[];
  openPage(colorScheme: 'light' | 'dark'): Promise<{ context: BrowserContext; page: Page }>;
  /** The agent's data directory. */
  dataDir: string;
  /** Stops the agent and starts a new one on the same port (so with a new token). */
  restartAgent(): Promise<void>;
  statusOverHttp(): Promise<AgentStatus>;
}

export interface HarnessOptions {
  /** Extra environment for the agent (e.g. its details level). */
  env?: Record<string, string>;
  /** The browser's locale and time zone (the person's). */
  locale?: string;
  timezoneId?: string;
}

/** Registers the hooks; the fields are filled in before the first test runs. */
export function useHarness(before?: (h: Harness) => Promise<void>, options: HarnessOptions = {}): Harness {
  let dataDir = '';
  const startAgent = (port: number): Promise<HeadlessHandle> =>
    startHeadless({
      dataDir,
      port,
      cwd: dataDir,
      env: {
        PATH: process.env['PATH'],
        HOME: dataDir,
        CANDOR__TELEMETRY__ENDPOINT: `${harness.collector.url}/telemetry`,
        CANDOR__TELEMETRY__DELETION_ENDPOINT: `${harness.collector.url}/deletion`,
        CANDOR__TELEMETRY__PRIVACY_CONTACT: 'privacy@example.org',
        CANDOR__TELEMETRY__FIRST_DELAY_S: '86400',
        CANDOR__SAMPLING__INTERVAL_S: '1',
        CANDOR__LOG__LEVEL: 'warn',
        ...options.env,
      },
    });

  const harness = {
    problems: [] as string[],
    async openPage(colorScheme: 'light' | 'dark') {
      const context = await harness.browser.newContext({
        colorScheme,
        viewport: { width: 1360, height: 900 },
        acceptDownloads: true,
        ...(options.locale === undefined ? {} : { locale: options.locale }),
        ...(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId }),
      });
      const p = await context.newPage();
      p.on('pageerror', (error) => harness.problems.push(`pageerror: ${error.message}`));
      p.on('console', (message) => {
        if (message.type() === 'error') harness.problems.push(`console: ${message.text()}`);
      });
      await p.goto(harness.handle.previewUrl);
      try {
        await p.waitForSelector('#payload[aria-busy="false"] li[data-pointer]');
        await p.waitForSelector('#state .headline');
      } catch (error) {
        const shown = await p.textContent('#error').catch(() => null);
        throw new Error(
          `the page did not load: ${(error as Error).message}\npage error line: ${shown ?? ''}\n${harness.problems.join('\n')}`,
        );
      }
      return { context, page: p };
    },
    async restartAgent() {
      const port = harness.handle.port;
      await harness.handle.close();
      harness.handle = await startAgent(port);
    },
    async statusOverHttp() {
      const response = await fetch(`${harness.handle.url}status`, { headers: { Authorization: `Bearer ${harness.handle.token}` } });
      const body = (await response.json()) as { result: AgentStatus };
      return body.result;
    },
  } as Harness;

  beforeAll(async () => {
    findChromium(); // fail first, and by name, when no browser is installed
    buildOnce();
    harness.collector = await startCollector();
    dataDir = mkdtempSync(join(tmpdir(), 'candor-renderer-'));
    harness.dataDir = dataDir;
    harness.handle = await startAgent(0);
    await before?.(harness);
    harness.browser = await launchChromium();
    ({ page: harness.page } = await harness.openPage('light'));
  });

  afterAll(async () => {
    await harness.browser?.close();
    await harness.handle?.close();
    await harness.collector?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return harness;
}
