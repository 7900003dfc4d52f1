import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../../collector/store/duckdb.js';
import { APP_ROOT } from '../../main/version.js';
import { childReaper } from '../support/child.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { fleet } from './support/fleet.js';
import { postReport } from './support/http.js';

// Nothing acknowledged is lost: every report answered 200 is in the DuckDB file after
// the collector is killed with SIGKILL right after the last answer (no shutdown, no
// checkpoint: the write-ahead log has it).

const reaper = childReaper();
let box: Sandbox;
afterEach(async () => {
  await reaper.reap();
  box.cleanup();
});

describe('a collector killed with SIGKILL', () => {
  it('keeps every report it acknowledged', async () => {
    box = sandbox('candor-collector-kill-');
    const child = reaper.track(
      spawn(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), 'collector', '--listen', '127.0.0.1:0', '--data-dir', box.dataDir], {
        cwd: box.cwd,
        env: { PATH: process.env['PATH'] ?? '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    let output = '';
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 30_000;
    while (!/listening on (\S+)/.test(output)) {
      if (Date.now() > deadline) throw new Error(`no listening line: ${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const url = /listening on (\S+)/.exec(output)?.[1] ?? '';
    const reports = fleet({ reports: 120, version: 1, seed: 51 });
    const answers = await Promise.all(reports.map((r) => postReport(url, r.payload)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = await DuckDbStore.open({ path: join(box.dataDir, 'collector', 'collector.duckdb') });
    try {
      const inputs = await store.aggregateInputs({ since: null });
      expect(inputs.reports).toBe(new Set(reports.map((r) => r.item.reportId)).size);
      expect(inputs.instances).toBe(new Set(reports.map((r) => r.payload.id)).size);
    } finally {
      await store.close();
    }
  }, 120_000);
});
