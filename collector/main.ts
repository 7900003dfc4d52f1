import { mkdirSync } from 'node:fs';
import { log, setLogLevel } from '../main/util/log.js';
import { adminTokenFromFile } from './admin-token.js';
import { collectorSettings, type CollectorFlags } from './config.js';
import { openStore } from './open-store.js';
import { scheduleRetention } from './retention.js';
import { startCollectorServer, type CollectorServer } from './server.js';
import { ClickHouseStore } from './store/clickhouse.js';
import type { Store } from './store/store.js';

// `candor collector`: settings, the store, the admin token, the HTTP server and the
// retention timer, then a foreground run until SIGINT or SIGTERM.

export interface CollectorHandle {
  server: CollectorServer;
  store: Store;
  token: string;
  /** The file the token was read from or written to; null when it came from the config. */
  tokenFile: string | null;
  dir: string;
  close(): Promise<void>;
}

export async function startCollector(
  flags: CollectorFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<CollectorHandle> {
  const settings = collectorSettings(flags, env, cwd);
  setLogLevel(settings.logLevel);
  const { config } = settings;
  mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
  const fromFile = config.admin_token === null ? adminTokenFromFile(settings.dir) : null;
  const token = config.admin_token ?? fromFile?.token ?? '';
  const store = await openStore(config, settings.dir);
  if (store instanceof ClickHouseStore) {
    // A ClickHouse that is not up yet is not fatal: reports get 503 until it is.
    await store
      .ensureReady()
      .catch((error: unknown) => log.warn(`collector: ${(error as Error).message}; reports are answered 503 until it is reachable`));
  }
  let server: CollectorServer;
  try {
    server = await startCollectorServer({
      store,
      host: settings.host,
      port: settings.port,
      adminToken: token,
      minGroupSize: config.min_group_size,
      limits: { maxBytes: config.max_body_bytes, maxInflatedBytes: config.max_inflated_bytes },
      rateLimit: { globalPerS: config.rate_limit_per_s, instancePerHour: config.instance_reports_per_hour },
    });
  } catch (error) {
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(`cannot listen on ${config.listen}: the port is taken (another collector?); choose another with --listen HOST:PORT`);
    throw error;
  }
  const stopRetention = scheduleRetention(store, config.retention_days);
  return {
    server,
    store,
    token,
    tokenFile: fromFile?.file ?? null,
    dir: settings.dir,
    async close() {
      stopRetention();
      await server.close();
      await store.close();
    },
  };
}

export async function runCollector(flags: CollectorFlags): Promise<void> {
  const handle = await startCollector(flags);
  log.info(`collector: listening on ${handle.server.url} (store: ${handle.store.kind} at ${handle.store.where})`);
  if (handle.tokenFile !== null) log.info(`collector: admin token in ${handle.tokenFile} (user-only file)`);
  // The token goes to a terminal only, never into a log file or journal.
  if (process.stderr.isTTY) log.info(`collector: dashboard: ${handle.server.url}#token=${handle.token}`);
  else log.info(`collector: dashboard: ${handle.server.url}#token=<admin token>`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`collector: ${signal}: shutting down`);
      handle.close().then(resolve, (error: unknown) => {
        log.error(`collector: shutdown: ${(error as Error).message}`);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
