import { buildOnce } from '../support/build.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSettings, type Settings } from '../../main/control/settings-schema.js';
import { openSettingsStore, type SettingsStore } from '../../main/control/settings-store.js';
import { runSeed, seeded } from '../hardening/support/random.js';
import { killAndWait } from '../support/child.js';
import { tempDir } from './helpers.js';

// Real processes against the BUILT module, as the CLI and a second window would use it.
const root = resolve(import.meta.dirname, '../..');
const built = join(root, 'dist/main/control/settings-store.js');

beforeAll(() => {
  buildOnce();
  if (!existsSync(built)) throw new Error(`node scripts/build.mjs did not produce ${built}`);
});

let dir: string;
let cleanup: () => void;
let scripts: string;
let cleanupScripts: () => void;
beforeAll(() => {
  ({ dir: scripts, cleanup: cleanupScripts } = tempDir('candor-control-scripts-'));
  const importLine = `import { openSettingsStore } from ${JSON.stringify(pathToFileURL(built).href)};`;
  // Updates settings as fast as it can until killed.
  writeFileSync(
    join(scripts, 'hammer.mjs'),
    `${importLine}
const store = openSettingsStore({ dataDir: process.argv[2], watch: false });
let i = 0;
for (;;) {
  i++;
  store.update((s) => ({ ...s, consent: { state: i % 2 ? 'granted' : 'revoked', at: new Date().toISOString() }, ui: { ...s.ui, preview_level: i % 5 }, paused_until: i % 3 ? null : new Date(Date.now() + i * 1000).toISOString() }));
  if (i === 1) process.stdout.write('writing\\n');
}
`,
  );
  // One change, then exit: what "candor consent grant" does.
  writeFileSync(
    join(scripts, 'grant.mjs'),
    `${importLine}
const store = openSettingsStore({ dataDir: process.argv[2], watch: false });
store.update((s) => ({ ...s, consent: { state: 'granted', at: new Date().toISOString() } }));
store.close();
`,
  );
});
afterAll(() => cleanupScripts());

const children: ChildProcess[] = [];
const stores: SettingsStore[] = [];
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(async () => {
  // Killed and reaped before the directory goes: a failed test leaves no writer behind.
  await Promise.all(children.splice(0).map((child) => killAndWait(child)));
  for (const store of stores.splice(0)) store.close();
  cleanup();
});

function run(script: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, [join(scripts, script), dir], { stdio: ['ignore', 'pipe', 'pipe'], env });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> =>
  new Promise((done) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => done({ code, signal, stderr }));
  });

describe('settings written by real processes', () => {
  it('SIGKILL in the middle of writing leaves the old or the new file, never a torn one', async () => {
    const seen = new Set<string>();
    // Seeded kill times: a failure names its seed; HARDENING_SEED=<seed> replays the sequence.
    const seed = runSeed();
    const random = seeded(seed);
    for (let round = 0; round < 10; round++) {
      const what = `round ${round} (seed ${seed})`;
      // Half the rounds under SNAP=1, where conf itself would write in place (and tear).
      const child = run('hammer.mjs', round % 2 === 0 ? process.env : { ...process.env, SNAP: '1' });
      const done = exited(child);
      await new Promise<void>((ready, fail) => {
        child.stdout?.once('data', () => ready());
        child.once('exit', (code) => fail(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((wait) => setTimeout(wait, 5 + Math.floor(random() * 60)));
      child.kill('SIGKILL');
      expect((await done).signal, what).toBe('SIGKILL');

      const text = readFileSync(join(dir, 'settings.json'), 'utf8');
      let settings: Settings;
      try {
        settings = parseSettings(JSON.parse(text));
      } catch (error) {
        throw new Error(`${what}: torn settings.json (${(error as Error).message}): ${text.slice(0, 200)}`);
      }
      seen.add(text);
      expect(
        readdirSync(dir).filter((n) => n.includes('corrupt')),
        what,
      ).toEqual([]);
      // A fresh store opens it as-is (nothing moved aside) and can write again.
      const store = openSettingsStore({ dataDir: dir, watch: false });
      stores.push(store);
      expect(store.get(), what).toEqual(settings);
    }
    // The writer really was writing different contents across rounds.
    expect(seen.size, `seed ${seed}`).toBeGreaterThan(1);
  });

  it('a running store sees a change made by another process, via onChange', async () => {
    const store = openSettingsStore({ dataDir: dir, watch: true });
    stores.push(store);
    expect(store.get().consent.state).toBe('unset');
    const changed = new Promise<Settings>((done) => store.onChange(done));
    const result = await exited(run('grant.mjs'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const settings = await changed;
    expect(settings.consent.state).toBe('granted');
    expect(store.get().consent.state).toBe('granted');
  });
});
