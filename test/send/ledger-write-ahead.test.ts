import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../main/send/ledger.js';
import { SYMLINK_REFUSAL } from '../../main/util/safe-open.js';
import { captureLog } from './collector.js';

// Ledger.recordIdDurably: the write-ahead record of an instance id, made before a report
// under it is queued (the agent's sendNow). Under a real full disk:
// test/hardening/datadir-write-ahead.test.ts.

let root: string;
let dir: string;
let logs: ReturnType<typeof captureLog>;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'candor-ledger-wa-'));
  dir = join(root, 'history');
  logs = captureLog();
});
afterEach(() => {
  logs.restore();
  rmSync(root, { recursive: true, force: true });
});

const ID_A = '11111111-1111-4111-8111-111111111111';
const ID_B = '22222222-2222-4222-8222-222222222222';
const idsOnDisk = (): unknown => JSON.parse(readFileSync(join(dir, 'ids.json'), 'utf8'));

describe('Ledger.recordIdDurably', () => {
  it('puts the id in ids.json before anything is delivered, for this and every later process', () => {
    const ledger = new Ledger({ dir });
    ledger.recordIdDurably(ID_A);
    expect(idsOnDisk()).toEqual([ID_A]);
    expect(ledger.ids()).toEqual([ID_A]);
    expect(ledger.list()).toEqual([]); // nothing delivered yet: only the id is known
    ledger.recordIdDurably(ID_B);
    expect(new Ledger({ dir }).ids()).toEqual([ID_A, ID_B]);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'ids.json')).mode & 0o777).toBe(0o600);
  });

  it('does not write again for an id already on disk', () => {
    const ledger = new Ledger({ dir });
    ledger.recordIdDurably(ID_A);
    const before = statSync(join(dir, 'ids.json'), { bigint: true });
    ledger.recordIdDurably(ID_A);
    const after = statSync(join(dir, 'ids.json'), { bigint: true });
    // Every write is a new file renamed into place: the same inode means no write.
    expect(after.ino).toBe(before.ino);
  });

  it('throws, naming ids.json, when the id cannot be written, and then does not claim the id', () => {
    const ledger = new Ledger({ dir });
    ledger.recordIdDurably(ID_A);
    // A non-empty folder in its place: the rename over it fails, as a full disk would fail the write.
    rmSync(join(dir, 'ids.json'));
    mkdirSync(join(dir, 'ids.json'));
    writeFileSync(join(dir, 'ids.json', 'x'), '');
    expect(() => ledger.recordIdDurably(ID_B)).toThrow(join(dir, 'ids.json'));
    expect(ledger.ids()).toEqual([ID_A]);
    // Space (here: the file) is back: the next record writes both.
    rmSync(join(dir, 'ids.json'), { recursive: true });
    ledger.recordIdDurably(ID_B);
    expect(idsOnDisk()).toEqual([ID_A, ID_B]);
  });

  it('after a failed write at a delivery, writes again even for a known id', async () => {
    const ledger = new Ledger({ dir });
    rmSync(join(dir, 'ids.json'), { force: true });
    mkdirSync(join(dir, 'ids.json'));
    writeFileSync(join(dir, 'ids.json', 'x'), '');
    // A delivery whose ids.json write fails keeps the id in memory (and in its history line).
    await ledger.append({ time: new Date().toISOString(), instance_id: ID_A, details_level: 1, bytes: 1, sha256: 'a'.repeat(64) }, '{}');
    expect(ledger.ids()).toEqual([ID_A]);
    rmSync(join(dir, 'ids.json'), { recursive: true });
    ledger.recordIdDurably(ID_A);
    expect(idsOnDisk()).toEqual([ID_A]);
  });

  it.skipIf(process.platform === 'win32')('replaces a link at ids.json instead of writing through it', () => {
    const victim = join(root, 'victim.json');
    writeFileSync(victim, '"not ids"');
    mkdirSync(dir, { recursive: true });
    symlinkSync(victim, join(dir, 'ids.json'));
    const ledger = new Ledger({ dir });
    // At start the link was read as unusable, said so and moved aside (the move takes the link, not the file).
    expect(logs.lines.some((line) => line.includes(`${join(dir, 'ids.json')} ${SYMLINK_REFUSAL}`))).toBe(true);
    ledger.recordIdDurably(ID_A);
    expect(lstatSync(join(dir, 'ids.json')).isSymbolicLink()).toBe(false);
    expect(idsOnDisk()).toEqual([ID_A]);
    expect(readFileSync(victim, 'utf8')).toBe('"not ids"');
  });
});
