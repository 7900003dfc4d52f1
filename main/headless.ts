import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAgent, type Agent, type AgentOptions } from './agent.js';
import { apiRequestTimer } from './agent/timing.js';
import { toPrometheusBytes } from './collect/prometheus.js';
import { startHttpServer } from './transport/http.js';
import { createApiToken } from './util/api-token.js';
import { acquireLock } from './util/instance-lock.js';
import { log } from './util/log.js';
import { APP_ROOT } from './version.js';

export interface HeadlessOptions extends Omit<AgentOptions, 'mode'> {
  /** Overrides service.http_port; 0 picks a free port. */
  port?: number;
}

export interface HeadlessHandle {
  agent: Agent;
  port: number;
  token: string;
  url: string;
  previewUrl: string;
  close(): Promise<void>;
}

export const RENDERER_DIR = join(APP_ROOT, 'dist', 'renderer');

/** The agent plus its loopback API and preview page: what `candor start --headless` runs. */
export async function startHeadless(options: HeadlessOptions): Promise<HeadlessHandle> {
  const lock = acquireLock(options.dataDir);
  let agent: Agent | null = null;
  try {
    agent = await createAgent({ ...options, mode: 'headless' });
    const token = createApiToken(options.dataDir);
    const requests = apiRequestTimer(agent.registry);
    const registry = agent.registry;
    const server = await startHttpServer({
      api: agent.api,
      token,
      port: options.port ?? agent.config.config.service.http_port,
      staticDir: existsSync(RENDERER_DIR) ? RENDERER_DIR : null,
      metricsBytes: () => toPrometheusBytes(registry),
      onRequestTimed: (route, ms) => requests.bind({ route }).record(ms),
    });
    lock.setPort(server.port);
    const url = `http://127.0.0.1:${server.port}/`;
    const running = agent;
    return {
      agent: running,
      port: server.port,
      token,
      url,
      previewUrl: `${url}#token=${token}`,
      async close() {
        await server.close();
        await running.close();
        lock.release();
      },
    };
  } catch (error) {
    await agent?.close();
    lock.release();
    throw error;
  }
}

/** Foreground run with signal handling; resolves when the agent has shut down. */
export async function runHeadless(options: HeadlessOptions): Promise<void> {
  const handle = await startHeadless(options);
  const status = await handle.agent.api.status({});
  log.info(status.sending ? 'sending: on' : `sending: off (${status.reasons.join('; ')})`);
  // The token goes to the terminal only, never into a log file or journal.
  if (process.stderr.isTTY) log.info(`preview: ${handle.previewUrl}`);
  else
    log.info(
      `preview: ${handle.url}#token=<token> (the token is in ${join(options.dataDir, 'api-token')}; \`candor api-token\` prints it)`,
    );
  log.info(`local API: curl -H "Authorization: Bearer $(candor api-token)" "${handle.url}telemetry?details_level=4&anonymize=true"`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: shutting down`);
      void handle.close().then(resolve, (error: unknown) => {
        log.error(`shutdown failed: ${(error as Error).message}`);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
