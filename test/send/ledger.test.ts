import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';
import { captureLog } from './collector.js';

let dir: string;
let logs: ReturnType<typeof captureLog>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-ledger-'));
  logs = captureLog();
});
afterEach(() => {
  logs.restore();
  rmSync(dir, { recursive: true, force: true });
});

const ID_A = '11111111-1111-4111-8111-111111111111';
const ID_B = '22222222-2222-4222-8222-222222222222';

function body(n: number): string {
  return JSON.stringify({ n });
}

async function record(ledger: Ledger, n: number, id = ID_A): Promise<string> {
  const json = body(n);
  const sha256 = createHash('sha256').update(json).digest('hex');
  await ledger.append(
    { time: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), instance_id: id, details_level: n % 5, bytes: 100 + n, sha256 },
    json,
  );
  return sha256;
}

describe('Ledger', () => {
  it('lists entries newest first and serves their bodies', async () => {
    const ledger = new Ledger({ dir });
    const first = await record(ledger, 1);
    const second = await record(ledger, 2, ID_B);
    expect(ledger.list()).toEqual([
      { time: '2026-01-01T00:02:00.000Z', instance_id: ID_B, details_level: 2, bytes: 102, sha256: second, body_kept: true },
      { time: '2026-01-01T00:01:00.000Z', instance_id: ID_A, details_level: 1, bytes: 101, sha256: first, body_kept: true },
    ]);
    expect(ledger.body(first)).toBe(body(1));
    expect(ledger.body('0'.repeat(64))).toBeNull();
    expect(ledger.body('../../etc/passwd')).toBeNull();
    // Append-only JSON Lines, one per delivery.
    expect(readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('keeps only the newest bodies and says which entries lost theirs', async () => {
    const ledger = new Ledger({ dir, keepBodies: 2 });
    const shas: string[] = [];
    for (let n = 1; n <= 5; n += 1) shas.push(await record(ledger, n));
    expect(ledger.list().map((e) => e.body_kept)).toEqual([true, true, false, false, false]);
    expect(readdirSync(join(dir, 'bodies')).sort()).toEqual([`${shas[3]}.json`, `${shas[4]}.json`].sort());
    expect(ledger.body(shas[0] ?? '')).toBeNull();
    expect(ledger.body(shas[4] ?? '')).toBe(body(5));
  });

  it('clear() forgets entries and bodies and returns the count, but keeps the instance ids', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1, ID_A);
    await record(ledger, 2, ID_B);
    await record(ledger, 3, ID_A);
    expect(ledger.ids()).toEqual([ID_A, ID_B]);
    expect(ledger.clear()).toBe(3);
    expect(ledger.list()).toEqual([]);
    expect(readdirSync(join(dir, 'bodies'))).toEqual([]);
    expect(ledger.ids()).toEqual([ID_A, ID_B]);
    expect(new Ledger({ dir }).ids()).toEqual([ID_A, ID_B]);
    expect(ledger.clear()).toBe(0);
  });

  it('persists across instances', async () => {
    const sha = await record(new Ledger({ dir }), 1);
    const reopened = new Ledger({ dir });
    expect(reopened.list().map((e) => e.sha256)).toEqual([sha]);
    expect(reopened.body(sha)).toBe(body(1));
    expect(reopened.ids()).toEqual([ID_A]);
  });

  it('skips a corrupt line with one log line naming the file and line, and keeps the file', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1);
    appendFileSync(join(dir, 'history.jsonl'), '{"time": "oops"\n');
    await record(ledger, 2);
    const file = readFileSync(join(dir, 'history.jsonl'), 'utf8');
    expect(ledger.list().map((e) => e.bytes)).toEqual([102, 101]);
    expect(ledger.list()).toHaveLength(2);
    const warnings = logs.lines.filter((line) => line.includes('not a valid entry'));
    expect(warnings).toEqual([
      `candor warn: sent-history ledger ${join(dir, 'history.jsonl')} line 2 is not a valid entry; skipped (the file is kept as it is)`,
    ]);
    expect(readFileSync(join(dir, 'history.jsonl'), 'utf8')).toBe(file);
  });

  it('closes a line torn by a crash before appending, so only the torn line is lost', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1);
    appendFileSync(join(dir, 'history.jsonl'), '{"time":"2026-01-01T00:0');
    await record(ledger, 2);
    expect(ledger.list().map((e) => e.bytes)).toEqual([102, 101]);
    expect(logs.lines.filter((line) => line.includes('line 2 is not a valid entry'))).toHaveLength(1);
  });

  it('rebuilds a corrupt ids file from the ledger and keeps the bad one aside', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1, ID_A);
    await record(ledger, 2, ID_B);
    writeFileSync(join(dir, 'ids.json'), '{not json');
    const reopened = new Ledger({ dir });
    expect(reopened.ids()).toEqual([ID_A, ID_B]);
    const aside = readdirSync(dir).filter((name) => name.startsWith('ids.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] ?? ''), 'utf8')).toBe('{not json');
    expect(logs.lines.some((line) => line.includes(join(dir, 'ids.json')) && line.includes('corrupt'))).toBe(true);
    expect(existsSync(join(dir, 'ids.json'))).toBe(true);
  });

  it('a body that cannot be written (full disk) still records the entry and its id', async () => {
    const ledger = new Ledger({ dir });
    const json = body(1);
    const sha256 = createHash('sha256').update(json).digest('hex');
    // Something in the body's place makes its write fail, as ENOSPC would.
    mkdirSync(join(dir, 'bodies', `${sha256}.json`));
    writeFileSync(join(dir, 'bodies', `${sha256}.json`, 'x'), '');
    const recorded = await ledger.append(
      { time: '2026-01-01T00:01:00.000Z', instance_id: ID_A, details_level: 1, bytes: 101, sha256 },
      json,
    );
    expect(recorded.body_kept).toBe(false);
    expect(ledger.list().map((e) => e.sha256)).toEqual([sha256]);
    expect(ledger.ids()).toEqual([ID_A]);
    expect(JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8'))).toEqual([ID_A]);
    expect(logs.lines.filter((l) => l.includes(join(dir, 'bodies', `${sha256}.json`)))).toHaveLength(1);
  });

  it('records the instance id before anything else: a failed history write still leaves it in ids.json', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1, ID_A);
    // The history file becomes unwritable after the start.
    rmSync(join(dir, 'history.jsonl'));
    mkdirSync(join(dir, 'history.jsonl'));
    await expect(record(ledger, 2, ID_B)).rejects.toThrow();
    expect(JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8'))).toEqual([ID_A, ID_B]);
    expect(new Ledger({ dir }).ids()).toEqual([ID_A, ID_B]);
  });

  it('an id whose ids.json write failed is kept in memory, retried, and recovered from the history at start', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1, ID_A);
    const stale = readFileSync(join(dir, 'ids.json'), 'utf8');
    rmSync(join(dir, 'ids.json'));
    mkdirSync(join(dir, 'ids.json'));
    writeFileSync(join(dir, 'ids.json', 'x'), '');
    await record(ledger, 2, ID_B);
    expect(ledger.ids()).toEqual([ID_A, ID_B]);
    expect(logs.lines.filter((l) => l.includes(join(dir, 'ids.json')) && l.includes('could not be written'))).toHaveLength(1);
    // A restart with the stale file: the history line still names ID_B.
    rmSync(join(dir, 'ids.json'), { recursive: true });
    writeFileSync(join(dir, 'ids.json'), stale);
    expect(new Ledger({ dir }).ids()).toEqual([ID_A, ID_B]);
    // And the running instance writes it at its next delivery.
    writeFileSync(join(dir, 'ids.json'), stale);
    await record(ledger, 3, ID_A);
    expect(JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8'))).toEqual([ID_A, ID_B]);
  });

  it('clear() leaves temp files alone: they are writes in progress, maybe of another process', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1);
    const temp = join(dir, 'bodies', `.${'a'.repeat(64)}.json.123.abcd1234.tmp`);
    writeFileSync(temp, 'half');
    expect(ledger.clear()).toBe(1);
    expect(readdirSync(join(dir, 'bodies'))).toEqual([temp.slice(join(dir, 'bodies').length + 1)]);
  });

  it('clear() during an append neither loses the id nor breaks the append', async () => {
    const ledger = new Ledger({ dir });
    await record(ledger, 1, ID_A);
    let settled = false;
    const appending = record(ledger, 2, ID_B).finally(() => {
      settled = true;
    });
    // Clear at the first moment the append has a temp body on disk (or is done).
    while (!settled && !readdirSync(join(dir, 'bodies')).some((name) => name.endsWith('.tmp'))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    ledger.clear();
    await expect(appending).resolves.toMatch(/^[0-9a-f]{64}$/);
    expect(ledger.ids()).toEqual([ID_A, ID_B]);
    expect(new Ledger({ dir }).ids()).toEqual([ID_A, ID_B]);
  });

  it('at start removes abandoned temp files (older than a minute) and keeps fresh ones', () => {
    mkdirSync(join(dir, 'bodies'), { recursive: true });
    const old = join(dir, 'bodies', '.old.json.1.aaaaaaaa.tmp');
    const fresh = join(dir, 'bodies', '.fresh.json.1.bbbbbbbb.tmp');
    writeFileSync(old, 'half');
    writeFileSync(fresh, 'half');
    const twoMinutesAgo = new Date(Date.now() - 2 * 60_000);
    utimesSync(old, twoMinutesAgo, twoMinutesAgo);
    new Ledger({ dir });
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it.each(['history.jsonl', 'ids.json'])(
    'an unreadable %s (a directory in its place) is moved aside with one line naming it',
    async (name) => {
      const seed = new Ledger({ dir });
      await record(seed, 1, ID_A);
      rmSync(join(dir, name));
      mkdirSync(join(dir, name));
      const ledger = new Ledger({ dir });
      expect(logs.lines.filter((l) => l.includes(join(dir, name)))).toHaveLength(1);
      expect(readdirSync(dir).filter((n) => n.startsWith(`${name}.corrupt-`))).toHaveLength(1);
      expect(ledger.list()).toHaveLength(name === 'ids.json' ? 1 : 0);
      // ids.json is rebuilt from the history; history.jsonl's loss keeps the ids in ids.json.
      expect(ledger.ids()).toEqual([ID_A]);
      await record(ledger, 2, ID_B);
      expect(ledger.list()).toHaveLength(name === 'ids.json' ? 2 : 1);
      expect(new Ledger({ dir }).ids()).toEqual([ID_A, ID_B]);
      expect(logs.lines.filter((l) => l.includes(join(dir, name)))).toHaveLength(1);
    },
  );
});
