import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { calls } from '../../main/api.js';
import { startHeadless, type HeadlessHandle } from '../../main/headless.js';
import { AgentCallError, AgentUnreachableError, findRunningAgent, remoteApi } from '../../main/transport/http-client.js';
import { captureLogLines } from '../hardening/support/log-lines.js';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { apiToken, newBox, startAgent, track } from './support.js';

// The CLI's client for a running agent, against the real loopback API of a real agent.

let box: Sandbox | null = null;
let handle: HeadlessHandle | null = null;
const logs = captureLogLines();
beforeAll(() => buildOnce(), 120_000);
afterEach(async () => {
  await handle?.close();
  handle = null;
  box?.cleanup();
  box = null;
  expect(logs.matching(/internal error/)).toEqual([]);
});

async function agent(): Promise<{ box: Sandbox; handle: HeadlessHandle }> {
  box = sandbox();
  handle = await startHeadless({ dataDir: box.dataDir, cwd: box.cwd, env: {}, port: 0 });
  return { box, handle };
}

describe('findRunningAgent', () => {
  it('finds a headless agent by the lock and token in its data directory; none once it is killed', async () => {
    const box = newBox();
    const running = await startAgent(box);
    const found = await findRunningAgent(box.dataDir);
    expect(found).toMatchObject({
      kind: 'api',
      endpoint: { pid: running.child.pid, port: running.port, token: apiToken(box), url: `http://127.0.0.1:${running.port}/` },
    });
    running.child.kill('SIGKILL');
    await running.exited;
    expect(await findRunningAgent(box.dataDir)).toEqual({ kind: 'none' });
  }, 60_000);

  it('an agent that holds the lock but serves no API (the desktop app) is found as such', async () => {
    const box = newBox();
    const lockModule = pathToFileURL(join(APP_ROOT, 'dist/main/util/instance-lock.js')).href;
    const holder = track(
      spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { acquireLock } = await import(${JSON.stringify(lockModule)}); acquireLock(process.argv[1]); console.log('locked'); setInterval(() => {}, 1000);`,
          box.dataDir,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    expect(await findRunningAgent(box.dataDir)).toMatchObject({ kind: 'no-api', lock: { pid: holder.pid, port: null } });
  }, 60_000);
});

describe('remoteApi', () => {
  it('has one function per call in the table, and they reach the agent', async () => {
    const { handle: running } = await agent();
    const api = remoteApi({ pid: process.pid, port: running.port, token: running.token, url: running.url });
    expect(Object.keys(api).sort()).toEqual(Object.keys(calls).sort());

    const status = await api.status({});
    expect(status.telemetry_id).toBe(running.agent.telemetryId);
    // A GET with a query (numbers and booleans), and POSTs with and without a body.
    const preview = await api.preview({ details_level: 1, anonymize: true });
    expect(preview.payload.details_level).toBe(1);
    expect((await api.pause({ duration: 'until-restart' })).paused_until).toBe('restart');
    expect((await running.agent.api.status({})).paused_until).toBe('restart');
    expect((await api.resume({})).paused_until).toBeNull();
  });

  it("an input the agent refuses comes back as the agent's own message", async () => {
    const { handle: running } = await agent();
    const api = remoteApi({ pid: process.pid, port: running.port, token: running.token, url: running.url });
    const error = await api.historyBody({ sha256: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentCallError);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toMatch(/historyBody: sha256: expected 64 lower-case hex characters/);
  });

  it('a wrong token says the agent refused it', async () => {
    const { handle: running } = await agent();
    const api = remoteApi({ pid: process.pid, port: running.port, token: 'f'.repeat(48), url: running.url });
    await expect(api.status({})).rejects.toThrow(/refused the API token/);
  });

  it('an agent gone before the call: not delivered, named by pid and address', async () => {
    const { handle: running } = await agent();
    const endpoint = { pid: 424242, port: running.port, token: running.token, url: running.url };
    await running.close();
    handle = null;
    const error = await remoteApi(endpoint)
      .disable({})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentUnreachableError);
    expect(error).toMatchObject({ delivered: false });
    expect((error as Error).message).toContain(`the agent (pid 424242, ${running.url}) is not answering: ECONNREFUSED`);
  });

  it('an agent that stops answering mid-call: may have acted, and the error says so', async () => {
    const box = newBox();
    const running = await startAgent(box);
    const found = await findRunningAgent(box.dataDir);
    if (found.kind !== 'api') throw new Error(`expected the agent's API, found ${found.kind}`);
    // Stopped: the kernel still accepts the connection and takes the request; no answer comes.
    running.child.kill('SIGSTOP');
    try {
      const error = await remoteApi(found.endpoint, { timeoutMs: 1000 })
        .pause({ duration: '1h' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentUnreachableError);
      expect(error).toMatchObject({ delivered: 'unknown' });
      expect((error as Error).message).toContain(
        `the agent (pid ${running.child.pid}, ${found.endpoint.url}) stopped answering during pause`,
      );
    } finally {
      running.child.kill('SIGCONT');
    }
  }, 60_000);
});
