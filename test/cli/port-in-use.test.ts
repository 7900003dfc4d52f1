import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../support/build.js';
import { VERSION } from '../../main/version.js';
import { baseEnv, candor, newBox, startAgent } from './support.js';

// A second agent (on another data directory) on a port the first one holds: one line
// naming the port, saying another agent may be running and how to choose another port.

beforeAll(() => buildOnce(), 120_000);

describe('the API port is taken', () => {
  it('by --port: the message names the port, the likely holder and the way out', async () => {
    const first = await startAgent(newBox());
    const second = newBox();
    const result = candor(second, ['start', '--headless', '--port', String(first.port)]);
    expect(result.code).toBe(1);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('candor:'));
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).toContain(`cannot listen on 127.0.0.1:${first.port} (--port): the port is already in use`);
    expect(line).toContain('another Candor agent');
    expect(line).toMatch(new RegExp(`\`.+ start --port ${first.port + 1}\``));
    expect(line).toContain('service.http_port');
    expect(line).toContain('port 0 picks a free one');
    expect(result.stderr).not.toContain('EADDRINUSE');
  }, 60_000);

  it('by the config file: the message says which file chose the port, and the suggested command works', async () => {
    const first = await startAgent(newBox());
    const second = newBox();
    second.writeConfig('local.yaml', `service:\n  http_port: ${first.port}\n`);
    const result = candor(second, ['start', '--headless']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${first.port} (service.http_port from config/local.yaml:2)`);
    // The way out works typed as given: its program part runs this Candor.
    const program = /`([^`]+) start --port \d+`/.exec(result.stderr)?.[1];
    expect(program).toBeDefined();
    const typed = spawnSync('/bin/sh', ['-c', `${program ?? ''} --version`], {
      cwd: second.cwd,
      env: baseEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(typed.stdout.trim()).toBe(VERSION);
  }, 60_000);
});
