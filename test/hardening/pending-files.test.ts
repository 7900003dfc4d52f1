import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../main/agent.js';
import { ConfigError, loadConfig } from '../../main/control/config-load.js';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// State-file bugs the input fuzzing found. `it.fails` because main/ is not ours to
// change: each passes while the bug is there; turn it into `it` with the fix.

const lines: string[] = [];
let previousSink: LogSink;
const boxes: Sandbox[] = [];
beforeAll(() => {
  previousSink = setLogSink((_level, line) => lines.push(line));
});
afterEach(() => {
  while (boxes.length) boxes.pop()?.cleanup();
});
afterAll(() => setLogSink(previousSink));

function box(): Sandbox {
  const b = sandbox();
  boxes.push(b);
  return b;
}

describe('pending: config', () => {
  // yaml's parseDocument reports no error for an alias without its anchor; toJS then
  // throws a bare ReferenceError: no file name, and the CLI exits 1 instead of 2.
  // Fix (main/control/config-yaml.ts, parseConfigText): wrap `walk(doc.contents, '')` in
  //   try { ... } catch (error) { if (error instanceof ConfigError) throw error;
  //     throw new ConfigError({ source: display, problem: `not valid YAML: ${(error as Error).message}` }); }
  it.fails('an unresolved YAML alias is a ConfigError naming the file', () => {
    const b = box();
    b.writeConfig('local.yaml', 'telemetry:\n  endpoint: *collector\n');
    expect(() => loadConfig({ cwd: b.cwd, env: {} })).toThrow(ConfigError);
  });
});

describe('pending: settings', () => {
  // A current file whose "schema_version" key is damaged (a flipped byte, a bad merge)
  // reads as version 0, the legacy shape: v0ToV1 keeps nothing of it (consent is an
  // object, not a boolean), writes the defaults over it and logs "migrated". Safe (consent
  // unset), but the person's choices are lost without a trace. Fix (main/control/
  // settings-migrations.ts, v0ToV1.up or migrateSettings): a version-0 file with a key
  // outside the legacy set (consent, consent_at, disabled, disabled_at, paused_until,
  // theme, preview_level) or a non-boolean consent throws, so the store quarantines it.
  it.fails('a current settings file with a damaged schema_version key is moved aside, not migrated', async () => {
    const b = box();
    mkdirSync(b.dataDir, { recursive: true });
    writeFileSync(join(b.dataDir, 'settings.json'), JSON.stringify({ schema_versiom: 1, consent: { state: 'revoked', at: null }, user_disabled: { value: true, at: null }, paused_until: null, ui: { theme: 'dark', preview_level: 3 } }));
    const agent = await createAgent({ mode: 'headless', dataDir: b.dataDir, cwd: b.cwd, env: {}, passive: true });
    try {
      expect(readdirSync(b.dataDir).some((n) => n.startsWith('settings.corrupt-'))).toBe(true);
    } finally {
      await agent.close();
    }
  });
});

describe('wrong-type state files (a directory where a file belongs)', () => {
  // Each used to stop createAgent with "EISDIR: illegal operation on a directory, read"
  // and no path. Now handled like corrupt content (main/send/ledger.ts,
  // main/send/dropped-counter.ts): moved aside with one log line naming the path.
  it.each([
    ['history/history.jsonl', 'history.jsonl.corrupt-'],
    ['history/ids.json', 'ids.json.corrupt-'],
    ['outbox/state.json', 'corrupt/state-'],
  ])('%s: the agent starts, logs the path and moves it aside', async (rel, aside) => {
    const b = box();
    mkdirSync(join(b.dataDir, rel), { recursive: true });
    lines.length = 0;
    const agent = await createAgent({ mode: 'headless', dataDir: b.dataDir, cwd: b.cwd, env: {}, passive: true });
    try {
      expect(lines.filter((l) => l.includes(join(b.dataDir, rel)))).toHaveLength(1);
      const [dir = ''] = rel.split('/');
      const names = readdirSync(join(b.dataDir, dir), { recursive: true }).map((n) => String(n).split(sep).join('/'));
      expect(names.some((n) => n.startsWith(aside))).toBe(true);
    } finally {
      await agent.close();
    }
  });
});
