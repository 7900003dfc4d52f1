// The soaked agent, in its own process so its RSS is the agent's alone (not the
// collector's or the API poller's). Driven by test/soak/run.mjs over IPC:
//   parent -> { type: 'send' | 'memory' | 'history' | 'retry-at' | 'stop' }
//   child  -> { type: 'ready', port, token } and one answer per request.
// Usage (by run.mjs): node --expose-gc agent.mjs <data dir> <cwd>

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { startHeadless } = await import(join(APP_ROOT, 'dist/main/headless.js'));
const { setLogSink } = await import(join(APP_ROOT, 'dist/main/util/log.js'));

const [dataDir, cwd] = process.argv.slice(2);
const unhandled = [];
process.on('unhandledRejection', (reason) =>
  unhandled.push(`unhandledRejection: ${reason instanceof Error ? reason.stack : String(reason)}`),
);
process.on('uncaughtException', (error) => unhandled.push(`uncaughtException: ${error.stack ?? String(error)}`));
const logCounts = { error: 0, warn: 0, info: 0, debug: 0 };
const logErrors = [];
setLogSink((level, line) => {
  logCounts[level] += 1;
  if (level === 'error' && logErrors.length < 20) logErrors.push(line);
});

const handle = await startHeadless({ dataDir, cwd, env: {}, port: 0 });
process.send({ type: 'ready', port: handle.port, token: handle.token });

process.on('message', async (message) => {
  if (message.type === 'send') {
    try {
      const status = await handle.agent.api.status({});
      if (!status.sending) throw new Error(`sending is off: ${status.reasons.join('; ')}`);
      await handle.agent.sendNow();
      process.send({ type: 'sent', ok: true });
    } catch (error) {
      process.send({ type: 'sent', ok: false, error: error.message });
    }
  } else if (message.type === 'memory') {
    globalThis.gc();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send({ type: 'memory', rss, heapUsed, external, arrayBuffers });
  } else if (message.type === 'retry-at') {
    // When the sender's running wait (backoff or Retry-After) ends, if one runs.
    process.send({ type: 'retry-at', at: (await handle.agent.api.status({})).retry_at });
  } else if (message.type === 'history') {
    process.send({ type: 'history', entries: (await handle.agent.api.history({})).entries.length });
  } else if (message.type === 'stop') {
    await handle.close();
    process.send({ type: 'stopped', unhandled, logCounts, logErrors }, () => process.exit(0));
  }
});
