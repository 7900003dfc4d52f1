import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Payload } from '../../main/report/payload-schema.js';
import { Ledger } from '../../main/send/ledger.js';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { baseEnv } from './support.js';

// The `candor` command as a user runs it: a real child process of the built CLI.

let box: Sandbox;

function candor(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), '--data-dir', box.dataDir, ...args], {
    cwd: box.cwd,
    env: baseEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => buildOnce(), 120_000);
// A fresh sandbox (data dir and config/) for every test: no test sees what another one
// left, so they pass in any order. Where state is meant to build up (consent, then
// disable, then pause...), that happens inside one test.
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

describe('candor with no command', () => {
  it('prints the help on stdout and exits 0', () => {
    const { code, stdout, stderr } = candor([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: candor \[options\] \[command\]/);
    expect(stdout).toContain('status [options]');
  });

  it('--help and help do the same', () => {
    expect(candor(['--help'])).toMatchObject({ code: 0, stderr: '' });
    expect(candor(['help']).stdout).toMatch(/^Usage: candor/);
  });
});

describe('candor report', () => {
  it('prints a schema-valid anonymized report at level 4', () => {
    const { code, stdout } = candor(['report', '--details-level', '4']);
    expect(code).toBe(0);
    const payload = Payload.parse(JSON.parse(stdout));
    expect(payload.details_level).toBe(4);
    expect(payload.anonymized).toBe(true);
    expect(payload.errors).toBeDefined();
  });

  it('writes --out atomically and marks a --raw report as not anonymized', () => {
    const out = join(box.cwd, 'raw.json');
    const { code } = candor(['report', '--details-level', '1', '--raw', '--out', out]);
    expect(code).toBe(0);
    const payload = Payload.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(payload.anonymized).toBe(false);
    expect(payload.details_level).toBe(1);
  });
});

describe('bad arguments: exit code 2 and one line naming the argument', () => {
  it.each([
    [['report', '--details-level', 'abc'], /details-level/],
    [['report', '--details-level', '-1'], /details-level/],
    [['report', '--bogus'], /--bogus/],
    [['report', '--out', '/nonexistent-dir/x/report.json'], /--out/],
    [['consent', 'maybe'], /maybe/],
    [['pause', '--for', '2w'], /2w/],
    [['start', '--port', '70000'], /port/],
    [['start', '--otlp-port', 'http'], /--otlp-port/],
    [['frobnicate'], /frobnicate/],
    [['status', '--config-path', '/nonexistent/candor.yaml'], /candor\.yaml/],
  ])('%j', (args, named) => {
    const { code, stderr } = candor(args);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(named);
  });

  it('an invalid config file stops the command with the file, line and key named', () => {
    box.writeConfig('local.yaml', 'telemetry:\n  interval_s: soon\n');
    const { code, stderr } = candor(['status']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/config\/local\.yaml/);
    expect(stderr).toMatch(/interval_s/);
    expect(stderr).toMatch(/2/);
  });
});

describe('candor status --json names each switch with its exact reason', () => {
  const statusJson = (args: string[] = [], env: NodeJS.ProcessEnv = {}): { collecting: boolean; sending: boolean; reasons: string[] } => {
    const { code, stdout, stderr } = candor([...args, 'status', '--json'], env);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout) as { collecting: boolean; sending: boolean; reasons: string[] };
  };

  it('from the environment, the CLI flag and DO_NOT_TRACK', () => {
    expect(statusJson([], { CANDOR__TELEMETRY_DISABLED: 'true' }).reasons).toContain('CANDOR__TELEMETRY_DISABLED=true in the environment');
    expect(statusJson(['--disable-telemetry']).reasons).toContain('--disable-telemetry on the command line');
    expect(statusJson([], { DO_NOT_TRACK: '1' }).reasons).toContain('DO_NOT_TRACK=1 in the environment');
  });

  it('from a config file', () => {
    box.writeConfig('production.yaml', 'telemetry_disabled: true\n');
    expect(statusJson().reasons).toContain('telemetry_disabled: true in config/production.yaml');
  });

  it('from the settings: consent, disable and pause, changed by other commands', () => {
    const fresh = statusJson();
    expect(fresh.sending).toBe(false);
    expect(fresh.collecting).toBe(true);
    expect(fresh.reasons).toContain('no consent given yet');
    expect(fresh.reasons).toContain('no endpoint configured');

    expect(candor(['consent', 'grant']).code).toBe(0);
    expect(statusJson().reasons).not.toContain('no consent given yet');
    expect(candor(['disable']).code).toBe(0);
    expect(statusJson().reasons.some((r) => /^disabled by you on \d{4}-\d{2}-\d{2}$/.test(r))).toBe(true);
    expect(candor(['enable']).code).toBe(0);
    expect(candor(['pause', '--for', '30m']).code).toBe(0);
    expect(statusJson().reasons.some((r) => /^paused until (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}$/.test(r))).toBe(true);
    expect(candor(['resume']).code).toBe(0);
    expect(statusJson().reasons.some((r) => r.startsWith('paused'))).toBe(false);
    expect(candor(['consent', 'revoke']).code).toBe(0);
    expect(statusJson().reasons.some((r) => r.startsWith('consent revoked on'))).toBe(true);
  });
});

describe('candor schema', () => {
  it('prints the schema of what is sent; --local the one of what this machine holds', () => {
    const sent = JSON.parse(candor(['schema']).stdout) as { title: string; properties: Record<string, { properties?: object }> };
    const local = JSON.parse(candor(['schema', '--local']).stdout) as { title: string };
    expect(sent.title).toMatch(/\(as sent\)$/);
    expect(local.title).toMatch(/\(local: previews and raw exports\)$/);
    // The raw stack never leaves: it is only in the local schema.
    expect(JSON.stringify(sent)).not.toContain('"stack"');
    expect(JSON.stringify(local)).toContain('"stack"');
  });
});

describe('other commands', () => {
  it('api-token without a running agent fails with a clear message', () => {
    const { code, stderr } = candor(['api-token']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no running agent/);
  });

  it('history and ids on a fresh machine say nothing was sent', () => {
    expect(candor(['history']).stdout).toMatch(/nothing sent yet/);
    expect(JSON.parse(candor(['history', '--json']).stdout)).toEqual({ entries: [], deletions: [] });
    expect(candor(['ids']).stdout).toMatch(/nothing sent yet/);
  });

  it('request-deletion on a machine that never sent says there is nothing to delete, and whom to ask', () => {
    const { code, stdout } = candor(['request-deletion']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'This machine has not delivered any Candor telemetry, so there is nothing to delete.\n' +
        'Contact: no privacy contact is configured; send this to whoever runs the telemetry collector.\n\n',
    );
  });

  it('request-deletion lists every id the history holds, one per line', async () => {
    const ids = ['6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'];
    // What the sender leaves after two deliveries from two runs: the ledger's record of each.
    const ledger = new Ledger({ dir: join(box.dataDir, 'history') });
    for (const id of ids)
      await ledger.append(
        { time: new Date().toISOString(), instance_id: id, details_level: 1, bytes: 10, sha256: 'a'.repeat(64) },
        `{"id":"${id}"}`,
      );
    const { code, stdout } = candor(['request-deletion']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'Please delete all telemetry data for these Candor instance ids:',
        ...ids.map((id) => `  ${id}`),
        'Contact: no privacy contact is configured; send this to whoever runs the telemetry collector.',
        '',
        '',
      ].join('\n'),
    );
  });

  it('request-deletion names the configured privacy contact', () => {
    box.writeConfig('config.yaml', 'telemetry:\n  privacy_contact: privacy@example.org\n');
    const { code, stdout } = candor(['request-deletion']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'This machine has not delivered any Candor telemetry, so there is nothing to delete.\nContact: privacy@example.org\n\n',
    );
  });
});
