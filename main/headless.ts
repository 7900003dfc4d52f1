import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAgent, type Agent, type AgentOptions } from './agent.js';
import { apiRequestTimer } from './agent/timing.js';
import type { AgentStatus } from './api.js';
import { candorCommand } from './cli/invocation.js';
import { personTerminal } from './cli/terminal.js';
import { formatWhen } from './cli/when.js';
import { toPrometheusBytes } from './collect/prometheus.js';
import { PortInUseError, startHttpServer } from './transport/http.js';
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

/** The API port is taken: says which port, where it was chosen, and how to choose another. */
export class PortTakenError extends Error {
  override name = 'PortTakenError';
  constructor(
    readonly port: number,
    source: string,
    dataDir: string,
  ) {
    const other = port === 65_535 ? port - 1 : port + 1;
    super(
      `cannot listen on 127.0.0.1:${port} (${source}): the port is already in use, most likely by another Candor agent ` +
        `on another data directory, or by another program. Choose another port: \`${candorCommand(`start --port ${other}`, { dataDir })}\`, ` +
        `or set service.http_port in a config file (or CANDOR__SERVICE__HTTP_PORT=${other}); port 0 picks a free one`,
    );
  }
}

/** The agent plus its loopback API and preview page: what `candor start --headless` runs. */
export async function startHeadless(options: HeadlessOptions): Promise<HeadlessHandle> {
  const lock = acquireLock(options.dataDir);
  let agent: Agent | null = null;
  try {
    agent = await createAgent({ ...options, mode: 'headless', dataDirChecked: true });
    const token = createApiToken(options.dataDir);
    const requests = apiRequestTimer(agent.registry);
    const registry = agent.registry;
    const port = options.port ?? agent.config.config.service.http_port;
    const server = await startHttpServer({
      api: agent.api,
      token,
      port,
      staticDir: existsSync(RENDERER_DIR) ? RENDERER_DIR : null,
      metricsBytes: () => toPrometheusBytes(registry),
      onRequestTimed: (route, ms) => requests.bind({ route }).record(ms),
    }).catch((error: unknown) => {
      if (!(error instanceof PortInUseError)) throw error;
      const source =
        options.port !== undefined
          ? '--port'
          : `service.http_port from ${agent?.config.sources['service.http_port'] ?? 'the configuration'}`;
      throw new PortTakenError(error.port, source, options.dataDir);
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

function sendingLine(status: AgentStatus): string {
  if (!status.sending) return `sending: off (${status.reasons.join('; ')})`;
  const next = status.next_send_at === null ? '' : `, next report ${formatWhen(new Date(status.next_send_at))}`;
  return `sending: on, to ${status.endpoint_host ?? 'the configured endpoint'} at level ${status.details_level}${next}`;
}

/**
 * What `candor start` says when it is up. The preview link carries the API token: it goes
 * to the person's terminal only, never to a stream that may be a log file.
 */
export function announce(handle: HeadlessHandle, status: AgentStatus, dataDir: string): void {
  log.info(sendingLine(status));
  for (const shared of handle.agent.config.shared)
    log.info(
      `${shared.file} also holds keys of another tool (${shared.foreign.join(', ')}): Candor reads only its telemetry_disabled` +
        (shared.ignored.length === 0 ? '' : ` and ignores its ${shared.ignored.join(', ')}`),
    );
  const tokenCommand = candorCommand('api-token', { dataDir });
  const terminal = personTerminal();
  if (terminal?.kind === 'stderr') {
    // The log stream is the terminal: the link is written to it directly, past the log sink.
    terminal.write(`candor info: preview: ${handle.previewUrl}\n`);
  } else if (terminal !== null) {
    terminal.write(`candor: preview: ${handle.previewUrl}\n`);
    terminal.close();
    log.info(
      `preview: ${handle.url} (the link with its access token is on the terminal that started the agent; \`${tokenCommand}\` prints the token)`,
    );
  } else {
    log.info(
      `preview: ${handle.url} (open it with its access token: \`${candorCommand('api-token --link', { dataDir })}\` prints the link; the token is in ${join(dataDir, 'api-token')})`,
    );
  }
  log.info(`local API: curl -H "Authorization: Bearer $(${tokenCommand})" "${handle.url}telemetry?details_level=4&anonymize=true"`);
}

/** Foreground run with signal handling; resolves when the agent has shut down. */
export async function runHeadless(options: HeadlessOptions): Promise<void> {
  const handle = await startHeadless(options);
  // The signal handlers go in before the preview line is printed: whoever reads that
  // line may stop the agent at once, and must get a clean shutdown, not a kill.
  const stopped = new Promise<void>((resolve) => {
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
  announce(handle, await handle.agent.api.status({}), options.dataDir);
  await stopped;
}
