import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../main/agent.js';
import { ConfigError, loadConfig } from '../../main/control/config-load.js';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// State-file bugs the input fuzzing found, each fixed where it was (config-yaml.ts,
// settings-migrations.ts, ledger.ts, dropped-counter.ts) and kept here as a test.

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

describe('config file input', () => {
  // yaml's parseDocument reports no error for an alias without its anchor; reading the
  // value threw a bare ReferenceError with no file name (and the CLI exited 1, not 2).
  it('an unresolved YAML alias is a ConfigError naming the file', () => {
    const b = box();
    b.writeConfig('local.yaml', 'telemetry:\n  endpoint: *collector\n');
    expect(() => loadConfig({ cwd: b.cwd, env: {} })).toThrow(ConfigError);
  });
});

describe('settings file input', () => {
  // A current file whose "schema_version" key is damaged (a flipped byte, a bad merge)
  // read as version 0, the legacy shape, and was "migrated" into defaults: the person's
  // choices were lost without a trace. Now a v0 file with foreign keys is refused.
  it('a current settings file with a damaged schema_version key is moved aside, not migrated', async () => {
    const b = box();
    mkdirSync(b.dataDir, { recursive: true });
    writeFileSync(
      join(b.dataDir, 'settings.json'),
      JSON.stringify({
        schema_versiom: 1,
        consent: { state: 'revoked', at: null },
        user_disabled: { value: true, at: null },
        paused_until: null,
        ui: { theme: 'dark', preview_level: 3 },
      }),
    );
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
