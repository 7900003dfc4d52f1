import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../main/send/outbox.js';
import { captureLog, reportJson } from './collector.js';

let dir: string;
let logs: ReturnType<typeof captureLog>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-outbox-'));
  logs = captureLog();
});
afterEach(() => {
  logs.restore();
  rmSync(dir, { recursive: true, force: true });
});

async function texts(outbox: Outbox): Promise<string[]> {
  const entries = await outbox.list();
  return Promise.all(entries.map(async (entry) => gunzipSync(await outbox.read(entry)).toString('utf8')));
}

describe('Outbox', () => {
  it('stores each report as one gzip file, oldest first', async () => {
    const outbox = new Outbox({ dir });
    const first = await outbox.add(reportJson(1));
    await outbox.add(reportJson(2));
    await outbox.add(reportJson(3));
    expect(await texts(outbox)).toEqual([reportJson(1), reportJson(2), reportJson(3)]);
    const [entry] = await outbox.list();
    expect(entry).toEqual(first);
    expect(entry?.file).toBe(join(dir, `${first.id}.json.gz`));
    expect(entry?.bytes).toBe(readFileSync(first.file).length);
    expect(Date.parse(entry?.createdAt ?? '')).not.toBeNaN();
    expect(readdirSync(dir).filter((name) => name.endsWith('.json.gz'))).toHaveLength(3);
  });

  it('refuses a body that is not a JSON object, storing nothing', async () => {
    const outbox = new Outbox({ dir });
    await expect(outbox.add('{"half":')).rejects.toThrow(SyntaxError);
    await expect(outbox.add('[1,2]')).rejects.toThrow('not a JSON object');
    expect(await outbox.list()).toEqual([]);
  });

  it('survives a restart: a new instance on the same dir sees the same reports and drop count', async () => {
    const before = new Outbox({ dir, maxCount: 2 });
    for (let n = 1; n <= 4; n += 1) await before.add(reportJson(n));
    const after = new Outbox({ dir, maxCount: 2 });
    expect(await texts(after)).toEqual([reportJson(3), reportJson(4)]);
    expect(after.droppedCount()).toBe(2);
  });

  it('drops the oldest beyond the count bound, counts them and logs once per add', async () => {
    const outbox = new Outbox({ dir, maxCount: 3 });
    for (let n = 1; n <= 5; n += 1) await outbox.add(reportJson(n));
    expect(await texts(outbox)).toEqual([reportJson(3), reportJson(4), reportJson(5)]);
    expect(outbox.droppedCount()).toBe(2);
    const full = logs.lines.filter((line) => line.includes('full'));
    expect(full).toHaveLength(2);
    expect(full[0]).toContain(dir);
  });

  it('drops the oldest beyond the byte bound but always keeps the newest', async () => {
    const sizer = new Outbox({ dir: join(dir, 'sizer') });
    const one = (await sizer.add(reportJson(1))).bytes;
    const outbox = new Outbox({ dir: join(dir, 'box'), maxBytes: one * 2 + one / 2 });
    for (let n = 1; n <= 4; n += 1) await outbox.add(reportJson(n));
    expect(await texts(outbox)).toEqual([reportJson(3), reportJson(4)]);
    expect(outbox.droppedCount()).toBe(2);

    const tiny = new Outbox({ dir: join(dir, 'tiny'), maxBytes: 1 });
    await tiny.add(reportJson(1));
    await tiny.add(reportJson(2));
    expect(await texts(tiny)).toEqual([reportJson(2)]);
  });

  it('tells each drop once: a stored report claims the drops it carries, and gives them back if dropped or rejected', async () => {
    const outbox = new Outbox({ dir, maxCount: 2 });
    for (let n = 1; n <= 4; n += 1) await outbox.add(reportJson(n));
    expect(outbox.droppedCount()).toBe(2);
    // The builder read 2 into the next report; storing it hands the 2 drops to that report.
    const carrier = await outbox.add(reportJson(5, { dropped: outbox.droppedCount() }));
    // Storing it dropped report 3 (carrying nothing): one new drop.
    expect(outbox.droppedCount()).toBe(1);
    // The carrier is refused by the collector: its 2 drops are untold again.
    await outbox.reject(carrier, 'HTTP 400 Bad Request');
    expect(outbox.droppedCount()).toBe(3);

    const second = await outbox.add(reportJson(6, { dropped: 3 }));
    expect(outbox.droppedCount()).toBe(0);
    await outbox.add(reportJson(7)); // drops report 4: +1
    await outbox.add(reportJson(8)); // drops the carrier of 3: its 3 come back, +1 for itself
    await outbox.add(reportJson(9)); // drops report 7: +1
    expect((await outbox.list()).map((entry) => entry.id)).not.toContain(second.id);
    expect(outbox.droppedCount()).toBe(1 + 3 + 1 + 1);
    // Delivered reports change nothing: their drops have been told.
    const [oldest] = await outbox.list();
    if (oldest) await outbox.remove(oldest);
    expect(outbox.droppedCount()).toBe(6);
  });

  it('undoes a claim whose report file never landed (crash between the two writes)', async () => {
    writeFileSync(
      join(dir, 'state.json'),
      JSON.stringify({ dropped: 1, claim: { file: '1700000000000-000001-deadbeef.json.gz', count: 4 } }),
    );
    expect(new Outbox({ dir }).droppedCount()).toBe(5);
    // Settled on load: a second start does not add it again.
    expect(new Outbox({ dir }).droppedCount()).toBe(5);
  });

  it('keeps a claim whose report file landed', async () => {
    const outbox = new Outbox({ dir });
    const entry = await outbox.add(reportJson(1));
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ dropped: 0, claim: { file: `${entry.id}.json.gz`, count: 4 } }));
    expect(new Outbox({ dir }).droppedCount()).toBe(0);
  });

  it('moves a corrupt state file aside, names it, and keeps working', async () => {
    writeFileSync(join(dir, 'state.json'), '{"dropped": "many"');
    const outbox = new Outbox({ dir });
    expect(outbox.droppedCount()).toBe(0);
    const line = logs.lines.find((l) => l.includes('state file'));
    expect(line).toContain(join(dir, 'state.json'));
    const kept = readdirSync(join(dir, 'corrupt'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, 'corrupt', kept[0] ?? ''), 'utf8')).toBe('{"dropped": "many"');
    await outbox.add(reportJson(1));
    expect(await outbox.list()).toHaveLength(1);
  });

  it('moves an unreadable state file (a directory in its place) aside with one line naming it, and keeps working', async () => {
    mkdirSync(join(dir, 'state.json'));
    const outbox = new Outbox({ dir });
    expect(outbox.droppedCount()).toBe(0);
    const named = logs.lines.filter((l) => l.includes(join(dir, 'state.json')));
    expect(named).toHaveLength(1);
    expect(named[0]).toContain('could not be read');
    expect(readdirSync(join(dir, 'corrupt')).filter((name) => name.startsWith('state-'))).toHaveLength(1);
    await outbox.add(reportJson(1));
    expect(await outbox.list()).toHaveLength(1);
  });

  it('rejects into rejected/ with a reason file', async () => {
    const outbox = new Outbox({ dir });
    const entry = await outbox.add(reportJson(1));
    await outbox.reject(entry, 'HTTP 413 Payload Too Large');
    expect(await outbox.list()).toEqual([]);
    expect(gunzipSync(readFileSync(join(dir, 'rejected', `${entry.id}.json.gz`))).toString()).toBe(reportJson(1));
    expect(readFileSync(join(dir, 'rejected', `${entry.id}.reason.txt`), 'utf8')).toMatch(/^\S+Z HTTP 413 Payload Too Large\n$/);
    expect(logs.lines.filter((line) => line.includes('rejected'))).toHaveLength(1);
  });

  it('moves a corrupt report met while enforcing the bound to corrupt/ instead of deleting it', async () => {
    const outbox = new Outbox({ dir, maxCount: 2 });
    writeFileSync(join(dir, '0000000000001-000001-00000000.json.gz'), 'not gzip at all');
    await outbox.add(reportJson(1));
    await outbox.add(reportJson(2));
    expect(await texts(outbox)).toEqual([reportJson(1), reportJson(2)]);
    expect(readFileSync(join(dir, 'corrupt', '0000000000001-000001-00000000.json.gz'), 'utf8')).toBe('not gzip at all');
    expect(outbox.droppedCount()).toBe(0);
    expect(logs.lines.some((line) => line.includes(join(dir, '0000000000001-000001-00000000.json.gz')))).toBe(true);
  });

  it('does not drop the report being sent', async () => {
    const outbox = new Outbox({ dir, maxCount: 2 });
    const sending = await outbox.add(reportJson(1));
    outbox.setInFlight(sending);
    await outbox.add(reportJson(2));
    await outbox.add(reportJson(3));
    expect(await texts(outbox)).toEqual([reportJson(1), reportJson(3)]);
  });

  it('at start removes only abandoned temp files (older than a minute), never lists any', async () => {
    const old = join(dir, '.0000000000001-000001-00000000.json.gz.123.abcd.tmp');
    const fresh = join(dir, '.0000000000002-000001-00000000.json.gz.456.ef01.tmp');
    writeFileSync(old, 'half');
    writeFileSync(fresh, 'half');
    const twoMinutesAgo = new Date(Date.now() - 2 * 60_000);
    utimesSync(old, twoMinutesAgo, twoMinutesAgo);
    writeFileSync(join(dir, 'notes.txt'), 'not a report');
    const outbox = new Outbox({ dir });
    expect(await outbox.list()).toEqual([]);
    expect(existsSync(old)).toBe(false);
    // Fresh: maybe the running agent's write in progress, seen by a CLI command opening the same dir.
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
  });

  it('clears every pending report', async () => {
    const outbox = new Outbox({ dir });
    await outbox.add(reportJson(1));
    await outbox.add(reportJson(2));
    expect(await outbox.clear()).toBe(2);
    expect(await outbox.list()).toEqual([]);
  });
});
