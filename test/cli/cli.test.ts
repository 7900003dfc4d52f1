import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payload } from '../../main/report/payload-schema.js';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// The `candor` command as a user runs it: a real child process of the built CLI.

let box: Sandbox;

function candor(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), '--data-dir', box.dataDir, ...args], {
    cwd: box.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  buildOnce();
  box = sandbox();
}, 120_000);
afterAll(() => box.cleanup());

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
    const file = box.writeConfig('local.yaml', 'telemetry:\n  interval_s: soon\n');
    try {
      const { code, stderr } = candor(['status']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/config\/local\.yaml/);
      expect(stderr).toMatch(/interval_s/);
      expect(stderr).toMatch(/2/);
    } finally {
      box.writeConfig('local.yaml', '{}\n');
      void file;
    }
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
    try {
      expect(statusJson().reasons).toContain('telemetry_disabled: true in config/production.yaml');
    } finally {
      box.writeConfig('production.yaml', 'telemetry_disabled: false\n');
    }
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

describe('other commands', () => {
  it('api-token without a running agent fails with a clear message', () => {
    const { code, stderr } = candor(['api-token']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no running agent/);
  });

  it('history and ids on a fresh machine say nothing was sent', () => {
    expect(candor(['history']).stdout).toMatch(/nothing sent yet/);
    expect(candor(['history', '--json']).stdout.trim()).toBe('[]');
    expect(candor(['ids']).stdout).toMatch(/nothing sent yet/);
  });

  it('request-deletion prints a ready text', () => {
    const { code, stdout } = candor(['request-deletion']);
    expect(code).toBe(0);
    expect(stdout.length).toBeGreaterThan(10);
  });
});
