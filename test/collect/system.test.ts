import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectSystem, type SystemSource } from '../../main/collect/system.js';
import { Payload, type SystemSection } from '../../main/report/payload-schema.js';
import { machineIdentifiers } from '../support/machine-identifiers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/si/', import.meta.url));
const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const recorded = readJson<{
  osInfo: Awaited<ReturnType<SystemSource['osInfo']>>;
  cpu: Awaited<ReturnType<SystemSource['cpu']>>;
  cpuFlags: string;
  mem: { total: number };
  graphics: Awaited<ReturnType<SystemSource['graphics']>>;
  system: Awaited<ReturnType<SystemSource['system']>>;
}>('system-this-machine-kvm-vm.json');
const recordedDisks = readJson<{ diskLayout: []; blockDevices: []; rotational: Record<string, string | null> }>(
  'disks-this-machine-kvm-vm.json',
);

/** A source answering from the recordings of this machine; `override` replaces single calls. */
function recordedSource(override: Partial<SystemSource> = {}): SystemSource {
  return {
    osInfo: async () => recorded.osInfo,
    cpu: async () => recorded.cpu,
    cpuFlags: async () => recorded.cpuFlags,
    mem: async () => recorded.mem,
    diskLayout: async () => recordedDisks.diskLayout,
    blockDevices: async () => recordedDisks.blockDevices,
    graphics: async () => recorded.graphics,
    system: async () => recorded.system,
    ...override,
  };
}
const recordedOptions = {
  readRotational: async (d: string) => recordedDisks.rotational[d] ?? null,
  detectContainer: async () => ({ container: true, hint: 'test' }),
};
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const isUnavailable = (section: object): boolean => 'unavailable' in section;

describe('collectSystem on this machine (real systeminformation)', () => {
  let real: SystemSection | undefined;
  const timings: string[] = [];
  const collect = async (): Promise<SystemSection> => {
    real ??= await collectSystem({ onTiming: (name) => timings.push(name) });
    return real;
  };

  it('validates against the payload schema and reads OS, CPU and memory', async () => {
    const system = Payload.shape.system.parse(await collect());
    expect(system.os).toMatchObject({ platform: process.platform, arch: process.arch });
    if (isUnavailable(system.cpu) || isUnavailable(system.memory)) throw new Error(`cpu/memory unavailable: ${JSON.stringify(system)}`);
    expect(system.cpu).toMatchObject({ cores: expect.any(Number) });
    expect('cores' in system.cpu && system.cpu.cores).toBeGreaterThan(0);
    expect('total_gib' in system.memory && system.memory.total_gib).toBeGreaterThan(0);
  });

  it('reports a duration for every call it makes', async () => {
    await collect();
    expect([...timings].sort()).toEqual([
      'blockDevices',
      'container',
      'cpu',
      'cpuFlags',
      'diskLayout',
      'graphics',
      'mem',
      'osInfo',
      'rotational',
      'system',
    ]);
  });

  // Disks the kernel gives a rotational flag for (and a non-zero size) must get a type.
  const flagged = existsSync('/sys/block')
    ? readdirSync('/sys/block').filter(
        (d) =>
          !/^(loop|zram|ram|sr|fd|nbd)\d*$/.test(d) &&
          existsSync(`/sys/block/${d}/queue/rotational`) &&
          Number(readFileSync(`/sys/block/${d}/size`, 'utf8')) > 0,
      )
    : [];
  it.skipIf(flagged.length === 0)('decides the type of every disk that has /sys/block/<dev>/queue/rotational (Linux)', async () => {
    const { disks } = await collect();
    if (disks === undefined) throw new Error('disks missing');
    if (isUnavailable(disks)) throw new Error(`disks unavailable: ${JSON.stringify(disks)}`);
    expect('devices' in disks && disks.devices.length).toBeGreaterThanOrEqual(1);
    for (const disk of 'devices' in disks ? disks.devices : []) {
      expect(disk.type).not.toBe('unknown');
      expect(disk.type_source).not.toBe('none');
    }
  });

  it("contains none of this machine's identifying strings", async () => {
    const text = JSON.stringify(await collect()).toLowerCase();
    const ids = (await machineIdentifiers()).filter((id) => !id.generic);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(text, `${id.label} leaked`).not.toContain(id.value.toLowerCase());
  });
});

describe('collectSystem on recorded outputs', () => {
  it('builds exactly the allow-listed fields from the recordings of this machine', async () => {
    const system = await collectSystem({ source: recordedSource(), ...recordedOptions });
    expect(system).toEqual({
      os: { platform: process.platform, arch: process.arch, distro: 'Debian GNU/Linux', release: '12', kernel: recorded.osInfo.kernel },
      cpu: {
        cores: 2,
        physical_cores: 2,
        vendor: 'AMD',
        brand: 'AMD EPYC',
        speed_ghz: 0,
        flags: {
          sse: true,
          sse2: true,
          avx: true,
          avx2: true,
          fma: true,
          f16c: true,
          avx512f: true,
          avx512vl: true,
          avx512vpopcntdq: true,
          neon: false,
          fp16: false,
        },
      },
      memory: { total_gib: recorded.mem.total / 2 ** 30 },
      disks: { devices: [{ type: 'HDD', type_source: 'rotational', size_gb: 274.877906944 }] },
      gpus: { devices: [] },
      virtualization: { virtual: true, container: true, hypervisor: 'KVM' },
      displays: { count: 0 },
    });
    expect(JSON.stringify(system)).not.toMatch(/FAKE/);
  });

  it('maps graphics controllers and counts displays, dropping everything else they carry', async () => {
    const graphics = async (): Promise<Awaited<ReturnType<SystemSource['graphics']>>> => ({
      controllers: [
        { vendor: 'NVIDIA', model: 'GeForce RTX 4070', busAddress: '01:00.0', pciID: 'FAKE', subDeviceId: 'FAKE-SUB' } as {
          vendor: string;
          model: string;
        },
      ],
      displays: [{ serial: 'FAKE-DISPLAY-SERIAL' }, { serial: 'FAKE-2' }],
    });
    const system = await collectSystem({ source: recordedSource({ graphics }), ...recordedOptions });
    expect(system.gpus).toEqual({ devices: [{ vendor: 'NVIDIA', model: 'GeForce RTX 4070' }] });
    expect(system.displays).toEqual({ count: 2 });
  });

  it('calls only the systeminformation functions the payload needs, never getStaticData()', async () => {
    const called: string[] = [];
    const base = recordedSource();
    const spy = new Proxy(base, {
      get(target, prop, receiver) {
        called.push(String(prop));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    await collectSystem({ source: spy, ...recordedOptions });
    expect([...new Set(called)].sort()).toEqual(['blockDevices', 'cpu', 'cpuFlags', 'diskLayout', 'graphics', 'mem', 'osInfo', 'system']);
  });

  it('uses the flags of cpu() when cpuFlags() fails', async () => {
    const system = await collectSystem({
      source: recordedSource({ cpuFlags: () => Promise.reject(new Error('no flags')) }),
      ...recordedOptions,
    });
    expect(system.cpu).toMatchObject({ flags: { avx2: true, neon: false } });
  });
});

describe('collectSystem when calls fail or hang', () => {
  it('turns a throwing call into an unavailable section with the error, leaving the others intact', async () => {
    const system = await collectSystem({
      timeoutMs: 500,
      source: recordedSource({ cpu: () => Promise.reject(new Error('cpuinfo unreadable')) }),
      ...recordedOptions,
    });
    expect(system.cpu).toEqual({ unavailable: true, reason: 'cpu failed: cpuinfo unreadable' });
    expect(system.memory).toEqual({ total_gib: recorded.mem.total / 2 ** 30 });
    expect(() => Payload.shape.system.parse(system)).not.toThrow();
  });

  it('turns a call that never resolves into an unavailable section after timeoutMs and still returns', async () => {
    const system = await collectSystem({ timeoutMs: 150, source: recordedSource({ graphics: never, system: never }), ...recordedOptions });
    expect(system.gpus).toEqual({ unavailable: true, reason: 'graphics timed out after 150 ms' });
    expect(system.displays).toEqual({ unavailable: true, reason: 'graphics timed out after 150 ms' });
    expect(system.virtualization).toEqual({ unavailable: true, reason: 'system timed out after 150 ms' });
    expect(system.os).not.toHaveProperty('unavailable');
    expect(() => Payload.shape.system.parse(system)).not.toThrow();
  });

  it('returns with every section unavailable when every call hangs', async () => {
    const hung: SystemSource = {
      osInfo: never,
      cpu: never,
      cpuFlags: never,
      mem: never,
      diskLayout: never,
      blockDevices: never,
      graphics: never,
      system: never,
    };
    const system = await collectSystem({ timeoutMs: 100, source: hung, readRotational: never, detectContainer: never });
    for (const section of Object.values(system)) expect(section).toMatchObject({ unavailable: true });
    expect(system.disks).toEqual({ unavailable: true, reason: 'diskLayout timed out after 100 ms; blockDevices timed out after 100 ms' });
    expect(() => Payload.shape.system.parse(system)).not.toThrow();
  });

  it('keeps disks from diskLayout() when blockDevices() fails, and falls back to blockDevices() when diskLayout() fails', async () => {
    const layoutOnly = await collectSystem({
      source: recordedSource({
        diskLayout: async () => [{ device: '/dev/nvme0n1', type: 'NVMe', size: 1000 }],
        blockDevices: () => Promise.reject(new Error('lsblk missing')),
      }),
      ...recordedOptions,
    });
    expect(layoutOnly.disks).toEqual({ devices: [{ type: 'NVMe', type_source: 'diskLayout', size_gb: 1e-6 }] });
    const blocksOnly = await collectSystem({
      source: recordedSource({ diskLayout: () => Promise.reject(new Error('smartctl crashed')) }),
      ...recordedOptions,
    });
    expect(blocksOnly.disks).toEqual({ devices: [{ type: 'HDD', type_source: 'rotational', size_gb: 274.877906944 }] });
  });

  it('says container false when container detection hangs, as long as system() answered', async () => {
    const system = await collectSystem({
      timeoutMs: 100,
      source: recordedSource(),
      readRotational: recordedOptions.readRotational,
      detectContainer: never,
    });
    expect(system.virtualization).toEqual({ virtual: true, container: false, hypervisor: 'KVM' });
  });

  it('rejects a timeout that is not a positive number, naming it', async () => {
    await expect(collectSystem({ timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive number, got 0/);
    await expect(collectSystem({ timeoutMs: Number.NaN })).rejects.toThrow(/timeoutMs/);
  });
});
