import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  await ledger.append({ time: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), instance_id: id, details_level: n % 5, bytes: 100 + n, sha256 }, json);
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
    expect(warnings).toEqual([`candor warn: sent-history ledger ${join(dir, 'history.jsonl')} line 2 is not a valid entry; skipped (the file is kept as it is)`]);
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
});
