import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceInfo } from '../../main/api.js';
import { runApp } from '../intake/support/run-app.js';
import { buildOnce } from '../support/build.js';
import { agentSays, apiToken, baseEnv, candor, newBox, startAgent, track, waitFor } from './support.js';
import { agentSources, answer, candorAsync, intakeUrl, sourcesJson } from './sources-support.js';

// `candor sources`, `candor sources allow NAME`, `candor sources deny NAME`, as a person
// types them, against a real headless agent (dist/, its own process) and a real
// OpenTelemetry SDK app, or against the files when no agent runs.

beforeAll(() => buildOnce(), 120_000);

const servers: Server[] = [];
afterEach(async () => {
  while (servers.length) {
    const server = servers.pop();
    await new Promise((resolve) => server?.close(resolve));
  }
});

const OPERATOR = ['intake:', '  sources:', '    allow: [billing]', '    deny: [ads-tracker, billing-old]', ''].join('\n');

function settingsSources(dataDir: string): Record<string, { state: string; at: string | null }> {
  const file = join(dataDir, 'settings.json');
  if (!existsSync(file)) return {};
  return (JSON.parse(readFileSync(file, 'utf8')) as { sources: Record<string, { state: string; at: string | null }> }).sources;
}

const states = (sources: readonly SourceInfo[]): Record<string, [string, string]> =>
  Object.fromEntries(sources.map((s) => [s.name, [s.state, s.answered_by]]));

describe('with no agent running', () => {
  it("says so, lists the operator's and the person's answers from the files, and writes a new answer the next agent starts with", async () => {
    const box = newBox();
    box.writeConfig('config.yaml', `service:\n  http_port: 0\n${OPERATOR}`);

    const listed = candor(box, ['sources']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`agent: not running: answers read from the files in ${box.dataDir}`);
    // The test run gives every agent a free port (port 0); a person's agent says 127.0.0.1:4318.
    expect(listed.stdout).toMatch(
      /^intake: not listening: agent not running \(once running, it listens on a free port on 127\.0\.0\.1\)$/m,
    );
    expect(listed.stdout).toMatch(/^ads-tracker +denied +operator$/m);
    expect(listed.stdout).toMatch(/^billing +allowed +operator$/m);
    expect(listed.stdout).toMatch(/^billing-old +denied +operator$/m);
    expect(listed.stdout).toContain('pending apps live in the running agent: only it lists them');

    const json = JSON.parse(candor(box, ['sources', '--json']).stdout) as { agent: unknown; intake: unknown; sources: SourceInfo[] };
    expect(json.agent).toEqual({ running: false });
    expect(json.intake).toEqual({ listening: false, port: null, problem: 'agent not running' });
    expect(states(json.sources)).toEqual({
      'ads-tracker': ['denied', 'operator'],
      billing: ['allowed', 'operator'],
      'billing-old': ['denied', 'operator'],
    });

    // The person's answers go to the settings file; theirs wins over the operator's.
    const allowed = candor(box, ['sources', 'allow', 'billing-old']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('billing-old: allowed (answered by person)');
    expect(allowed.stdout).toContain('kept in the settings: the agent reads it when it starts');
    const denied = JSON.parse(candor(box, ['sources', 'deny', 'shop-api', '--json']).stdout) as { agent: unknown; source: SourceInfo };
    expect(denied).toMatchObject({ agent: { running: false }, source: { name: 'shop-api', state: 'denied', answered_by: 'person' } });
    expect(settingsSources(box.dataDir)).toEqual({
      'billing-old': { state: 'allowed', at: expect.stringMatching(/^\d{4}-/) },
      'shop-api': { state: 'denied', at: expect.stringMatching(/^\d{4}-/) },
    });
    const after = JSON.parse(candor(box, ['sources', '--json']).stdout) as { sources: SourceInfo[] };
    expect(states(after.sources)).toEqual({
      'ads-tracker': ['denied', 'operator'],
      billing: ['allowed', 'operator'],
      'billing-old': ['allowed', 'person'],
      'shop-api': ['denied', 'person'],
    });

    // The next agent starts with those answers: the app it allowed reports at once.
    const agent = await startAgent(box, ['--port', '0', '--otlp-port', '0']);
    const running = await sourcesJson(box);
    expect(running.agent).toEqual({ running: true, pid: agent.child.pid, url: `http://127.0.0.1:${agent.port}/` });
    expect(running.intake.listening).toBe(true);
    expect(states(running.sources)).toEqual(states(after.sources));
    const url = await intakeUrl(box);
    await runApp({
      url,
      protocol: 'protobuf',
      resource: { 'service.name': 'billing-old' },
      rounds: [{ counters: [{ name: 'jobs.done', value: 4 }] }],
    });
    const telemetry = await agentSays(agent.port, apiToken(box), '/telemetry?details_level=2&anonymize=true');
    const sent = (telemetry['sources'] ?? []) as { name: string; counters: Record<string, number> }[];
    expect(sent.map((s) => [s.name, s.counters])).toEqual([['billing-old', { 'jobs.done': 4 }]]);
  }, 120_000);

  it('reads intake.otlp.enabled from the config to say the intake would stay off', () => {
    const box = newBox();
    box.writeConfig('config.yaml', 'intake:\n  otlp:\n    enabled: false\n');
    const listed = candor(box, ['sources']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^intake: not listening: agent not running; intake\.otlp\.enabled is false in the config$/m);
    expect(listed.stdout).toContain('sources: none answered in the settings or the config');
  });
});

describe('with an agent running', () => {
  it('lists a new app as pending; allow and deny reach the agent at once, and are kept in the settings', async () => {
    const box = newBox();
    const agent = await startAgent(box, ['--port', '0', '--otlp-port', '0']);
    const token = apiToken(box);
    const empty = await sourcesJson(box);
    expect(empty.sources).toEqual([]);
    expect(empty.intake).toEqual({ listening: true, port: expect.any(Number), problem: null });
    expect(candor(box, ['sources']).stdout).toContain('sources: none yet (no app has sent OpenTelemetry data');

    const results = await runApp({
      url: await intakeUrl(box),
      protocol: 'json',
      resource: { 'service.name': 'orders', 'service.version': '1.2.0' },
      rounds: [{ counters: [{ name: 'orders.placed', value: 3 }], logs: [{ severity: 'INFO', body: 'started' }] }],
    });
    expect(results.metrics.every((r) => r.code === 0)).toBe(true);

    const pending = await sourcesJson(box);
    expect(pending.agent).toMatchObject({ running: true, pid: agent.child.pid });
    expect(pending.sources).toEqual([
      expect.objectContaining({ name: 'orders', state: 'pending', answered_by: 'none', seen: true, version: '1.2.0' }),
    ]);
    expect(pending.sources[0]?.counts.data_points).toBeGreaterThanOrEqual(1);
    const text = await candorAsync(box, ['sources']);
    expect(text.stdout).toContain(`agent: running (pid ${agent.child.pid}, http://127.0.0.1:${agent.port}/)`);
    expect(text.stdout).toContain(`intake: listening on 127.0.0.1:${pending.intake.port} (OTLP/HTTP)`);
    expect(text.stdout).toMatch(/^NAME +STATE +ANSWERED BY +SEEN$/m);
    expect(text.stdout).toMatch(/^orders +pending +- +\d+ data points?, 1 log record, 1 dropped, last \d{2}:\d{2}$/m);
    expect(text.stdout).toMatch(/^answer with `.+ sources allow NAME` or `.+ sources deny NAME`$/m);

    const allowed = await candorAsync(box, ['sources', 'allow', 'orders']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain(`agent: running (pid ${agent.child.pid}`);
    expect(allowed.stdout).toContain('orders: allowed (answered by person)');
    // The agent itself, asked past the CLI.
    expect(states(await agentSources(agent.port, token))).toEqual({ orders: ['allowed', 'person'] });
    expect(settingsSources(box.dataDir)['orders']?.state).toBe('allowed');

    const denied = await answer(box, 'deny', 'orders');
    expect(denied.source).toMatchObject({ name: 'orders', state: 'denied', answered_by: 'person', memory_bytes: 0 });
    expect(states(await agentSources(agent.port, token))).toEqual({ orders: ['denied', 'person'] });
    expect(settingsSources(box.dataDir)['orders']?.state).toBe('denied');
  }, 120_000);

  it('says why the intake is not listening: its port is taken, or the config turned it off', async () => {
    const holder = createServer();
    servers.push(holder);
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as { port: number }).port;
    const box = newBox();
    await startAgent(box, ['--port', '0', '--otlp-port', String(taken)]);
    const json = await sourcesJson(box);
    expect(json.intake.listening).toBe(false);
    expect(json.intake.problem).toContain(`127.0.0.1:${taken} is in use`);
    expect((await candorAsync(box, ['sources'])).stdout).toContain(`intake: not listening: 127.0.0.1:${taken} is in use`);

    const off = newBox();
    off.writeConfig('config.yaml', 'service:\n  http_port: 0\nintake:\n  otlp:\n    enabled: false\n');
    await startAgent(off);
    expect((await sourcesJson(off)).intake).toEqual({ listening: false, port: null, problem: 'intake.otlp.enabled is false' });
  }, 120_000);
});

describe('with an agent running without a local API (the desktop app)', () => {
  it('answers from the files it watches; the running agent takes the answer from the settings file', async () => {
    const box = newBox();
    const script = fileURLToPath(new URL('./support-files/agent-without-api.mjs', import.meta.url));
    const child = track(
      spawn(process.execPath, [script, box.dataDir, box.cwd], {
        cwd: box.cwd,
        env: baseEnv({ CANDOR__INTAKE__OTLP__PORT: '0' }),
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const said = (): { sources: Pick<SourceInfo, 'name' | 'state' | 'answered_by'>[] }[] =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { sources: Pick<SourceInfo, 'name' | 'state' | 'answered_by'>[] });
    await waitFor(() => said().length > 0, 'the agent to start');

    const listed = await candorAsync(box, ['sources']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`agent: running without a local API (pid ${child.pid}, the desktop app?)`);
    expect(listed.stdout).toContain('intake: not listening: unknown: the running agent has no local API');

    const allowed = await candorAsync(box, ['sources', 'allow', 'desk-app']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('desk-app: allowed (answered by person)');
    expect(allowed.stdout).toContain('kept in the settings the running agent watches');
    // The running agent read it from the file.
    await waitFor(
      () => said().some((s) => s.sources.some((x) => x.name === 'desk-app' && x.state === 'allowed' && x.answered_by === 'person')),
      'the running agent to take the answer from the settings file',
    );
  }, 120_000);
});

describe('command-line mistakes are usage errors (exit 2) naming what was wrong', () => {
  it('a NAME no app can have: nothing is asked or written', () => {
    const box = newBox();
    // The temp HOME's folder name is one of this machine's identifiers, which the intake never takes as a name.
    const home = basename(process.env['HOME'] ?? '/home/someone');
    const bad = ['my app', 'a/b', 'jane.doe@example.org', 'svc-1234567', 'db-7.internal', '_x', '9lives', 'x'.repeat(129), `app-${home}`];
    for (const name of bad) {
      for (const verb of ['allow', 'deny']) {
        const result = candor(box, ['sources', verb, name]);
        expect(result.code, `${verb} ${name}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toContain(`candor: NAME ${JSON.stringify(name)} is not a possible source (OpenTelemetry service.name): `);
        expect(result.stdout).toBe('');
      }
    }
    expect(existsSync(join(box.dataDir, 'settings.json'))).toBe(false);
  }, 120_000);

  it("a NAME only the running agent refuses (it holds its own machine's names) is a usage error too", async () => {
    const box = newBox();
    // The agent runs with a home folder the CLI does not know of: only the agent can tell.
    const home = join(box.cwd, 'zanzibar-owner');
    mkdirSync(home);
    const agent = await startAgent(box, ['--port', '0', '--otlp-port', '0'], { HOME: home });
    const result = await candorAsync(box, ['sources', 'allow', 'zanzibar-owner-app']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /^candor: NAME "zanzibar-owner-app": refused by the running agent: .*"zanzibar-owner-app" is not a source name/m,
    );
    expect(await agentSources(agent.port, apiToken(box))).toEqual([]);
    expect(settingsSources(box.dataDir)).toEqual({});
  }, 120_000);

  it.each([
    [['sources', 'bogus'], `unexpected argument "bogus" for 'candor sources' (expected allow NAME, deny NAME or nothing)`],
    [['sources', 'allow'], `missing required argument 'name'`],
    [['sources', 'deny', 'a', 'b'], `unexpected argument "b" for 'candor sources deny' (one NAME per command)`],
    [['sources', '--jsn'], `unknown option '--jsn'`],
  ])('candor %j', (args, message) => {
    const result = candor(newBox(), args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')[0]).toBe(`candor: ${message}`);
  });
});
