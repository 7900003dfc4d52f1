import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';

// A kill during one of the ledger's atomic writes (a kept body, ids.json) leaves its
// temp file; the SIGKILL loop leaves dozens per run. Found open (nothing removed them);
// fixed in 8dc1111 (util/stale-temp.ts: the next start removes those older than a minute).
// The files below are what such a kill leaves (util/atomic-write.ts names temp files
// .<name>.<pid>.<8 hex>.tmp), made two minutes old so no write can still be in flight.

let dir: string;
let ledger: Ledger;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candor-kill-ledger-temp-'));
  const history = join(dir, 'history');
  mkdirSync(join(history, 'bodies'), { recursive: true });
  const stale = new Date(Date.now() - 120_000);
  for (const file of [join(history, '.ids.json.4242.0a1b2c3d.tmp'), join(history, 'bodies', `.${'a'.repeat(64)}.json.4242.0a1b2c3d.tmp`)]) {
    writeFileSync(file, '{"partial":');
    utimesSync(file, stale, stale);
  }
  // The restart, and one delivery (which prunes bodies).
  ledger = new Ledger({ dir: history });
  await ledger.append(
    {
      time: new Date().toISOString(),
      instance_id: '00000000-0000-4000-8000-000000000001',
      details_level: 1,
      bytes: 10,
      sha256: 'b'.repeat(64),
    },
    '{"n":1}',
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ledger temp files left by a kill', () => {
  it('setup: the restarted ledger records beside them', () => {
    expect(ledger.list()).toHaveLength(1);
  });

  it('are removed by the next start once stale', () => {
    const history = join(dir, 'history');
    const temps = [...readdirSync(history), ...readdirSync(join(history, 'bodies'))].filter((name) => name.endsWith('.tmp'));
    expect(temps).toEqual([]);
  });
});
