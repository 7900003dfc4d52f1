import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { CaseCount } from './generators/case-count.js';

// Every command of the built CLI with bad flags and values: exit code 2 and exactly
// one line on stderr, naming the argument. Child processes run a few at a time.

const count = new CaseCount();
let box: Sandbox;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function candor(dataDir: string, cwd: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), '--data-dir', dataDir, ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

beforeAll(() => {
  buildOnce();
  box = sandbox();
  writeFileSync(join(box.cwd, 'a-file'), 'x');
}, 120_000);
afterAll(() => {
  box.cleanup();
  console.log(count.summary('input-cli'));
});

const COMMANDS = [
  'start',
  'report',
  'status',
  'consent grant',
  'pause',
  'resume',
  'disable',
  'enable',
  'history',
  'ids',
  'request-deletion',
  'api-token',
  'schema',
];

/** [args, what the one line must contain]. */
function cases(): [string[], string][] {
  const list: [string[], string][] = [];
  for (const command of COMMANDS) {
    const words = command.split(' ');
    list.push([[...words, '--bogus-flag'], '--bogus-flag']);
    // api-token and schema read no config, so they do not notice a missing one (pending-cli.test.ts).
    if (command !== 'api-token' && command !== 'schema')
      list.push([[...words, '--config-path', join(box.cwd, 'missing.yaml')], 'missing.yaml']);
  }
  // Global options on a few commands (each one's parser is shared, so one of each kind suffices).
  list.push([['--data-dir', join(box.cwd, 'a-file'), 'status'], 'a-file']);
  list.push([['report', '--config-path', box.cwd], box.cwd]);
  list.push([['frobnicate'], 'frobnicate']);
  list.push([['consent'], 'answer']);
  list.push([['pause', '--for'], '--for']);
  list.push([['report', '--details-level'], '--details-level']);
  list.push([['start', '--port'], '--port']);
  list.push([['report', '--out', join(box.cwd, 'no-dir', 'r.json')], '--out']);
  list.push([['report', '--out', join(box.cwd, 'a-file', 'r.json')], '--out']);
  // Generated bad values for every option that takes one.
  const seed = 20_251_125;
  for (const value of fc.sample(
    fc.oneof(
      fc.constantFrom('-1', '1.5', 'four', '', ' 2', '0x2', '1e1', 'NaN'),
      fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/^\d+$/.test(s) && !s.startsWith('-')),
    ),
    { numRuns: 6, seed },
  )) {
    list.push([['report', `--details-level=${value}`], 'details-level']);
  }
  for (const value of fc.sample(
    fc.oneof(
      fc.constantFrom('70000', '65536', '-1', 'http', '80.5', ''),
      fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/^\d+$/.test(s) && !s.startsWith('-')),
    ),
    { numRuns: 5, seed },
  )) {
    list.push([['start', `--port=${value}`], 'port']);
  }
  for (const value of fc.sample(
    fc.oneof(
      fc.constantFrom('2w', '1H', '30', 'forever', '', 'until restart'),
      fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !['30m', '1h', '24h', 'until-restart'].includes(s) && !s.startsWith('-')),
    ),
    { numRuns: 5, seed },
  )) {
    list.push([['pause', `--for=${value}`], '--for']);
  }
  for (const value of fc.sample(
    fc.oneof(
      fc.constantFrom('GRANT', 'yes', 'revoked', ' grant', 'maybe'),
      fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== 'grant' && s !== 'revoke' && !s.startsWith('-')),
    ),
    { numRuns: 5, seed },
  )) {
    list.push([['consent', value], JSON.stringify(value)]);
  }
  return list;
}

async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return out;
}

describe('bad command lines: exit code 2 and one line naming the argument', () => {
  it('every command, every bad flag and value', async () => {
    const list = cases();
    const results = await inBatches(list, 4, async ([args, named]) => ({ args, named, result: await candor(box.dataDir, box.cwd, args) }));
    const wrong: string[] = [];
    for (const { args, named, result } of results) {
      count.add(args[0] === '--data-dir' ? 'global' : (args[0] ?? '?'));
      const lines = result.stderr.split('\n').filter((l) => l !== '');
      const ok = result.code === 2 && lines.length === 1 && (lines[0] ?? '').includes(named) && result.stdout === '';
      if (!ok) wrong.push(`${JSON.stringify(args)} -> ${result.code} ${JSON.stringify(result.stderr)} (expected ${named})`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
