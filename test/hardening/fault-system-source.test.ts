import { afterAll, describe, expect, it } from 'vitest';
import { createSampler, type SamplerSource } from '../../main/collect/sampler.js';
import { collectSystem, type SystemSource } from '../../main/collect/system.js';
import { Payload } from '../../main/report/payload-schema.js';
import { recordFigures } from './support/figures.js';

// systeminformation misbehaving: calls that throw, never resolve, or resolve with the
// wrong types. collectSystem() must still resolve, within its timeout, with a section
// that matches the payload schema (a failed call turns only its own part into
// { unavailable, reason }); the sampler must keep ticking, count what it skipped, and
// recover when the source does. The garbage that still crashes collectSystem is in
// pending-fault-system-types.test.ts.

const TIMEOUT_MS = 80;
const SystemSchema = Payload.shape.system;
let cases = 0;
let faults = 0;
afterAll(() => recordFigures('fault-system-source', { cases, faults_injected: faults }));

const CALLS = ['osInfo', 'cpu', 'cpuFlags', 'mem', 'diskLayout', 'blockDevices', 'graphics', 'system'] as const;
type Call = (typeof CALLS)[number];

function goodSource(): SystemSource {
  return {
    osInfo: async () => ({ distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0' }),
    cpu: async () => ({
      manufacturer: 'AMD',
      brand: 'EPYC 7763 64-Core Processor',
      vendor: 'AuthenticAMD',
      speed: 2.45,
      cores: 4,
      physicalCores: 2,
    }),
    cpuFlags: async () => 'sse sse2 avx avx2 fma',
    mem: async () => ({ total: 8 * 1024 ** 3 }),
    diskLayout: async () => [{ device: '/dev/nvme0n1', type: 'NVMe', interfaceType: 'PCIe', size: 512e9 }],
    blockDevices: async () => [{ name: 'nvme0n1', type: 'disk', size: 512e9 }],
    graphics: async () => ({ controllers: [{ vendor: 'NVIDIA', model: 'T4' }], displays: [] }),
    system: async () => ({ virtual: true, virtualHost: 'KVM' }),
  };
}

/** The same source with every call replaced by `broken`. */
function allCalls(broken: () => Promise<never>): SystemSource {
  const source = goodSource() as unknown as Record<Call, () => Promise<unknown>>;
  for (const call of CALLS) source[call] = broken;
  return source as unknown as SystemSource;
}

const collect = (source: SystemSource): ReturnType<typeof collectSystem> =>
  collectSystem({
    source,
    timeoutMs: TIMEOUT_MS,
    readRotational: async () => null,
    detectContainer: async () => ({ container: false, hint: null }),
  });

const SECTIONS = ['os', 'cpu', 'memory', 'disks', 'gpus', 'virtualization', 'displays'] as const;

describe('collectSystem with a broken systeminformation', () => {
  it.each([
    {
      name: 'every call rejects with an Error',
      broken: () => Promise.reject(new Error('EACCES: /sys/firmware')),
      reason: /failed: EACCES: \/sys\/firmware/,
    },
    { name: 'every call rejects with a bare string', broken: () => Promise.reject('lspci: not found'), reason: /failed: lspci: not found/ },
    {
      name: 'every call throws synchronously',
      broken: () => {
        throw new TypeError('si internal');
      },
      reason: /failed: si internal/,
    },
    {
      name: 'every call never resolves',
      broken: () => new Promise<never>(() => undefined),
      reason: new RegExp(`timed out after ${TIMEOUT_MS} ms`),
    },
  ])('$name: resolves, every section unavailable with the reason, schema-valid', async ({ broken, reason }) => {
    cases += 1;
    faults += CALLS.length;
    const section = await collect(allCalls(broken as () => Promise<never>));
    expect(SystemSchema.parse(section)).toEqual(section);
    for (const name of SECTIONS) {
      const value = section[name] as { unavailable?: boolean; reason?: string };
      expect(value.unavailable, name).toBe(true);
      expect(value.reason, name).toMatch(reason);
    }
  });

  it.each(CALLS)('%s alone hangs: only its own part is unavailable, the rest is collected', async (call) => {
    cases += 1;
    faults += 1;
    const source = goodSource() as unknown as Record<Call, () => Promise<unknown>>;
    source[call] = () => new Promise(() => undefined);
    const section = await collect(source as unknown as SystemSource);
    expect(SystemSchema.parse(section)).toEqual(section);
    const unavailable = SECTIONS.filter((name) => (section[name] as { unavailable?: boolean }).unavailable === true);
    const expected: Record<Call, string[]> = {
      osInfo: ['os'],
      cpu: ['cpu'],
      // cpu() carries the flags too, so cpuFlags() failing costs nothing.
      cpuFlags: [],
      mem: ['memory'],
      // Either disk list is enough by itself.
      diskLayout: [],
      blockDevices: [],
      graphics: ['gpus', 'displays'],
      system: ['virtualization'],
    };
    expect(unavailable).toEqual(expected[call]);
  });

  it('wrong types inside the objects (strings for numbers, numbers for strings, NaN, negatives) become empty or zero, never a crash or a schema violation', async () => {
    cases += 1;
    faults += CALLS.length;
    const garbage = {
      osInfo: async () => ({ distro: 5, release: null, kernel: {} }),
      cpu: async () => ({ manufacturer: 3, brand: {}, vendor: [], speed: 'fast', cores: -3, physicalCores: Number.NaN, flags: 7 }),
      cpuFlags: async () => 42,
      mem: async () => ({ total: 'lots' }),
      diskLayout: async () => [{ device: '/dev/sda', size: 'x', type: null }],
      blockDevices: async () => [{ name: 'sda', size: -1 }],
      graphics: async () => ({ controllers: [{ vendor: 1, model: null }] }),
      system: async () => ({ virtual: 'yes', virtualHost: 9 }),
    } as unknown as SystemSource;
    const section = await collect(garbage);
    expect(SystemSchema.parse(section)).toEqual(section);
    expect(section.os).toMatchObject({ distro: '', release: '', kernel: '' });
    expect(section.cpu).toMatchObject({ vendor: '', brand: '', speed_ghz: 0, physical_cores: 0 });
    expect(section.memory).toEqual({ total_gib: 0 });
    expect(section.virtualization).toMatchObject({ virtual: false, hypervisor: '' });
    expect(section.displays).toEqual({ count: 0 });
  });
});

describe('the sampler with a broken systeminformation', () => {
  function switchable(): { source: SamplerSource; mode: { current: 'throw' | 'hang' | 'garbage' | 'good' } } {
    const mode: { current: 'throw' | 'hang' | 'garbage' | 'good' } = { current: 'good' };
    const pick = <T>(good: T, garbage: unknown): Promise<T> => {
      if (mode.current === 'throw') return Promise.reject(new Error('si exploded'));
      if (mode.current === 'hang') return new Promise(() => undefined);
      if (mode.current === 'garbage') return Promise.resolve(garbage as T);
      return Promise.resolve(good);
    };
    return {
      mode,
      source: {
        currentLoad: () => pick({ currentLoad: 12.5 }, { currentLoad: 'busy' }),
        mem: () => pick({ total: 1000, available: 400 }, { total: 0, available: 'plenty' }),
        fsStats: () => pick({ rx_sec: 10, wx_sec: 20 }, 'not an object'),
      },
    };
  }

  it('throwing, hanging and garbage probes: ticks never reject, failures are counted, and sampling recovers with the source', async () => {
    cases += 1;
    const { source, mode } = switchable();
    const sampler = createSampler({ intervalMs: 1000, timeoutMs: TIMEOUT_MS, source, loadavg: () => [0.5] });
    for (const bad of ['throw', 'hang'] as const) {
      mode.current = bad;
      for (let i = 0; i < 3; i++) await expect(sampler.tick()).resolves.toBeUndefined();
      faults += 3;
    }
    expect(sampler.skipped).toBe(6);
    expect(sampler.size).toBe(0);
    expect(sampler.aggregate()).toEqual({ unavailable: true, reason: 'no samples yet' });

    // Garbage values are stored as "no value" (null), not as NaN or strings.
    mode.current = 'garbage';
    for (let i = 0; i < 3; i++) await sampler.tick();
    faults += 3;
    for (const sample of sampler.recent()) {
      expect(sample.cpu_pct).toBeNull();
      expect(sample.mem_used_pct).toBeNull();
    }

    mode.current = 'good';
    await sampler.tick();
    expect(sampler.recent(1)[0]).toMatchObject({ cpu_pct: 12.5, mem_used_pct: 60 });
    const aggregate = sampler.aggregate();
    expect(Payload.shape.performance.unwrap().shape.load.parse(aggregate)).toEqual(aggregate);
  });
});
