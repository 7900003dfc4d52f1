import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// CLI findings of the input fuzzing, fixed in main/cli.ts: an extra argument is named,
// and a missing --config-path is refused by every command.

let box: Sandbox;
beforeAll(() => {
  buildOnce();
  box = sandbox();
}, 120_000);
afterAll(() => box.cleanup());

function candor(args: string[]): { code: number; lines: string[] } {
  const r = spawnSync(process.execPath, [join(APP_ROOT, 'dist/main/cli.js'), '--data-dir', box.dataDir, ...args], {
    cwd: box.cwd,
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status ?? -1, lines: r.stderr.split('\n').filter((l) => l !== '') };
}

describe('cli.ts argument errors', () => {
  // Commander's own message leaves the argument out.
  it('an extra argument is named', () => {
    const { code, lines } = candor(['status', 'verbose']);
    expect(code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('verbose');
  });

  // `schema` and `api-token` never load the config: the preAction hook checks the path.
  it.each([['schema'], ['api-token']])('%s with a missing --config-path exits 2 naming it', (command) => {
    const { code, lines } = candor([command, '--config-path', join(box.cwd, 'missing.yaml')]);
    expect(code).toBe(2);
    expect(lines[0]).toContain('missing.yaml');
  });
});
