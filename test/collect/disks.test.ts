import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  candidateDevices,
  decideDisks,
  readRotationalFlags,
  sysRotationalReader,
  type BlockDeviceLike,
  type DiskInfo,
  type DiskLayoutLike,
} from '../../main/collect/disks.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/si/', import.meta.url));

interface DiskFixture {
  description: string;
  recorded: boolean;
  diskLayout: DiskLayoutLike[];
  blockDevices: BlockDeviceLike[];
  rotational: Record<string, string | null>;
  expected: DiskInfo[];
}

const files = readdirSync(FIXTURES)
  .filter((f) => f.startsWith('disks-') && f.endsWith('.json'))
  .sort();

describe('decideDisks on recorded and hand-written systeminformation outputs', () => {
  it('has the fixtures the brief asks for (one recorded on this machine, the rest hand-written)', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(files).toContain('disks-this-machine-kvm-vm.json');
  });

  it.each(files)('%s', async (file) => {
    const fixture = JSON.parse(await readFile(join(FIXTURES, file), 'utf8')) as DiskFixture;
    const rotational = new Map(Object.entries(fixture.rotational));
    expect(decideDisks(fixture.diskLayout, fixture.blockDevices, rotational)).toEqual(fixture.expected);
  });

  it('outputs nothing but type, type_source and size_gb, even when the inputs carry serials', async () => {
    const fixture = JSON.parse(await readFile(join(FIXTURES, 'disks-laptop-nvme-ssd-hdd.json'), 'utf8')) as DiskFixture;
    const out = decideDisks(fixture.diskLayout, fixture.blockDevices, new Map());
    for (const disk of out) expect(Object.keys(disk).sort()).toEqual(['size_gb', 'type', 'type_source']);
    expect(JSON.stringify(out)).not.toMatch(/FAKE/);
  });
});

describe('decideDisks rules', () => {
  it('prefers diskLayout over the rotational flag when diskLayout names the type', () => {
    const out = decideDisks(
      [{ device: '/dev/sda', type: 'SSD', size: 100 }],
      [{ name: 'sda', type: 'disk', size: 100 }],
      new Map([['sda', '1']]),
    );
    expect(out).toEqual([{ type: 'SSD', type_source: 'diskLayout', size_gb: 1e-7 }]);
  });

  it('falls back to block devices when diskLayout lists only virtual devices', () => {
    const out = decideDisks(
      [{ device: '/dev/zram0', type: 'SSD', size: 100 }],
      [{ name: 'vda', type: 'disk', size: 200 }],
      new Map([['vda', '0']]),
    );
    expect(out).toEqual([{ type: 'SSD', type_source: 'rotational', size_gb: 2e-7 }]);
  });

  it('reads an unexpected rotational value as no evidence', () => {
    expect(decideDisks([], [{ name: 'sda', type: 'disk', size: 1 }], new Map([['sda', 'yes']]))).toEqual([
      { type: 'unknown', type_source: 'none', size_gb: 1e-9 },
    ]);
  });

  it('never reports a negative size, and gives bytes as GB (the anonymizer buckets them)', () => {
    const out = decideDisks(
      [
        { device: '/dev/sda', type: 'HD', size: -5 },
        { device: '/dev/sdb', type: 'HD', size: 512_110_190_592 },
      ],
      [],
      new Map(),
    );
    expect(out.map((d) => d.size_gb)).toEqual([0, 512.110190592]);
  });

  it('candidateDevices lists only non-virtual disks, once each', () => {
    expect(
      candidateDevices([
        { name: 'vda', type: 'disk' },
        { name: 'vda1', type: 'part' },
        { name: 'zram0', type: 'disk' },
        { name: 'loop3', type: 'loop' },
        { name: 'vda', type: 'disk' },
        { name: 'nvme0n1', type: 'disk' },
      ]),
    ).toEqual(['vda', 'nvme0n1']);
  });
});

describe('readRotationalFlags', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('reads <dir>/<dev>/queue/rotational and gives null for a missing file or an unsafe name', async () => {
    const sys = await mkdtemp(join(tmpdir(), 'candor-sysblock-'));
    dirs.push(sys);
    await mkdir(join(sys, 'sda', 'queue'), { recursive: true });
    await writeFile(join(sys, 'sda', 'queue', 'rotational'), '1\n');
    await mkdir(join(sys, 'nvme0n1', 'queue'), { recursive: true });
    await writeFile(join(sys, 'nvme0n1', 'queue', 'rotational'), '0\n');
    await mkdir(join(sys, 'xvda'), { recursive: true }); // a device without the flag
    const flags = await readRotationalFlags(['/dev/sda', 'nvme0n1', 'xvda', 'missing0', '../sda'], sysRotationalReader(sys));
    expect(Object.fromEntries(flags)).toEqual({ sda: '1', nvme0n1: '0', xvda: null, missing0: null, '../sda': null });
  });

  it('turns a reader that throws into null instead of failing', async () => {
    const flags = await readRotationalFlags(['sda'], () => Promise.reject(new Error('EACCES')));
    expect(flags.get('sda')).toBeNull();
  });

  const realDisks = existsSync('/sys/block') ? readdirSync('/sys/block').filter((d) => !/^(loop|zram|ram|sr)/.test(d)) : [];
  it.skipIf(realDisks.length === 0)('reads the real /sys/block flags of this machine (Linux only)', async () => {
    const expected = await Promise.all(
      realDisks.map(async (d) => {
        const path = join('/sys/block', d, 'queue', 'rotational');
        return existsSync(path) ? (await readFile(path, 'utf8')).trim() : null;
      }),
    );
    const flags = await readRotationalFlags(realDisks);
    expect(realDisks.map((d) => flags.get(d))).toEqual(expected);
  });
});
