// Hardware and OS facts for the payload's `system` section. Only the allow-listed
// fields are picked out of systeminformation's objects, which also carry serials,
// UUIDs, MACs, IPs, host and user names. Every call runs in parallel under its own
// timeout; a failed call turns only its own section into { unavailable, reason }.

import os from 'node:os';
import si from 'systeminformation';
import type { SystemSection, Unavailable } from '../report/payload-schema.js';
import { detectContainer, isWslKernel, type ContainerProbe } from './container.js';
import { parseCpuFlags } from './cpu-flags.js';
import {
  candidateDevices,
  decideDisks,
  deviceName,
  readRotationalFlags,
  sysRotationalReader,
  type BlockDeviceLike,
  type DiskLayoutLike,
  type RotationalReader,
} from './disks.js';
import { withTimeout, type Outcome } from './with-timeout.js';

/** The systeminformation calls collectSystem() makes, typed by the fields it reads. */
export interface SystemSource {
  osInfo(): Promise<{ distro: string; release: string; kernel: string }>;
  cpu(): Promise<{
    manufacturer: string;
    brand: string;
    vendor: string;
    speed: number;
    cores: number;
    physicalCores: number;
    flags?: string;
  }>;
  cpuFlags(): Promise<string>;
  mem(): Promise<{ total: number }>;
  diskLayout(): Promise<DiskLayoutLike[]>;
  blockDevices(): Promise<BlockDeviceLike[]>;
  graphics(): Promise<{ controllers: { vendor: string; model: string }[]; displays: unknown[] }>;
  system(): Promise<{ virtual?: boolean; virtualHost?: string }>;
}

export interface SystemCollectOptions {
  /** Per call, default 3000. */
  timeoutMs?: number;
  source?: SystemSource;
  readRotational?: RotationalReader;
  /** Duration of each call (also failed ones), e.g. for metrics. */
  onTiming?: (collector: string, ms: number) => void;
  /** Container detection; default looks at this machine's files. */
  detectContainer?: () => Promise<ContainerProbe>;
}

export const DEFAULT_SYSTEM_TIMEOUT_MS = 3000;

/** The names collectSystem() times its calls under (a metric label's declared values). */
export const SYSTEM_CALLS = [
  'osInfo',
  'cpu',
  'cpuFlags',
  'mem',
  'diskLayout',
  'blockDevices',
  'graphics',
  'system',
  'container',
  'rotational',
] as const;
type SystemCall = (typeof SYSTEM_CALLS)[number];

type Section<K extends keyof SystemSection> = SystemSection[K];

function unavailable(reason: string): Unavailable {
  return { unavailable: true, reason };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function nonNegativeInt(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** "AMD" + "EPYC 7763 64-Core Processor" -> "AMD EPYC 7763 64-Core Processor" (systeminformation splits the model name). */
function cpuBrand(manufacturer: string, brand: string): string {
  if (manufacturer === '' || brand.toLowerCase().startsWith(manufacturer.toLowerCase())) return brand;
  return brand === '' ? manufacturer : `${manufacturer} ${brand}`;
}

export async function collectSystem(options: SystemCollectOptions = {}): Promise<SystemSection> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SYSTEM_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new Error(`collectSystem: timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  const source: SystemSource = options.source ?? si;
  const readRotational = options.readRotational ?? sysRotationalReader();
  const probeContainer = options.detectContainer ?? ((): Promise<ContainerProbe> => detectContainer());

  const timed = <T>(label: SystemCall, run: () => Promise<T>): Promise<Outcome<T>> => {
    const started = performance.now();
    return withTimeout(label, timeoutMs, run).then((outcome) => {
      options.onTiming?.(label, performance.now() - started);
      return outcome;
    });
  };

  const [osInfo, cpu, cpuFlags, mem, layout, blocks, graphics, system, container] = await Promise.all([
    timed('osInfo', () => source.osInfo()),
    timed('cpu', () => source.cpu()),
    timed('cpuFlags', () => source.cpuFlags()),
    timed('mem', () => source.mem()),
    timed('diskLayout', () => source.diskLayout()),
    timed('blockDevices', () => source.blockDevices()),
    timed('graphics', () => source.graphics()),
    timed('system', () => source.system()),
    timed('container', probeContainer),
  ]);

  // Rotational flags need the device names, so they are read after the lists arrive.
  const devices = guarded('blockDevices/diskLayout', () => [
    ...(blocks.ok ? candidateDevices(blocks.value) : []),
    ...(layout.ok ? layout.value.map((d) => deviceName(str(d.device))).filter((n) => n !== '') : []),
  ]);
  const rotational = await timed('rotational', () => readRotationalFlags('unavailable' in devices ? [] : devices, readRotational));

  return {
    os: guarded('osInfo', () => osSection(osInfo)),
    cpu: guarded('cpu', () => cpuSection(cpu, cpuFlags)),
    memory: guarded('mem', () => (mem.ok ? { total_gib: nonNegativeInt(mem.value.total) / 2 ** 30 } : unavailable(mem.reason))),
    disks: guarded('diskLayout/blockDevices', () => disksSection(layout, blocks, rotational)),
    gpus: guarded('graphics', () =>
      graphics.ok
        ? { devices: (graphics.value.controllers ?? []).map((c) => ({ vendor: str(c.vendor), model: str(c.model) })) }
        : unavailable(graphics.reason),
    ),
    virtualization: guarded('system', () => virtualizationSection(system, container)),
    displays: guarded('graphics', () => (graphics.ok ? { count: (graphics.value.displays ?? []).length } : unavailable(graphics.reason))),
  };
}

/**
 * withTimeout guards the calls; this guards what they answered. systeminformation can
 * resolve with null or another shape on an odd platform: that section is then
 * unavailable, and never the whole report.
 */
function guarded<T>(call: string, build: () => T): T | Unavailable {
  try {
    return build();
  } catch (error) {
    return unavailable(`${call} returned an unexpected shape (${(error as Error).message})`);
  }
}

function osSection(osInfo: Outcome<Awaited<ReturnType<SystemSource['osInfo']>>>): Section<'os'> {
  if (!osInfo.ok) return unavailable(osInfo.reason);
  // Node's names, not systeminformation's ("Windows"), so the field means the same everywhere.
  return {
    platform: process.platform,
    arch: os.arch(),
    distro: str(osInfo.value.distro),
    release: str(osInfo.value.release),
    kernel: str(osInfo.value.kernel),
  };
}

function cpuSection(cpu: Outcome<Awaited<ReturnType<SystemSource['cpu']>>>, flags: Outcome<string>): Section<'cpu'> {
  if (!cpu.ok) return unavailable(cpu.reason);
  const c = cpu.value;
  // cpu() carries the same flag string on Linux; it stands in when cpuFlags() failed.
  const rawFlags = flags.ok ? flags.value : str(c.flags);
  const speed = typeof c.speed === 'number' && Number.isFinite(c.speed) && c.speed > 0 ? c.speed : 0;
  return {
    cores: nonNegativeInt(c.cores) || os.availableParallelism(),
    physical_cores: nonNegativeInt(c.physicalCores),
    vendor: str(c.vendor),
    brand: cpuBrand(str(c.manufacturer), str(c.brand)),
    speed_ghz: speed,
    flags: parseCpuFlags(typeof rawFlags === 'string' ? rawFlags : ''),
  };
}

function disksSection(
  layout: Outcome<DiskLayoutLike[]>,
  blocks: Outcome<BlockDeviceLike[]>,
  rotational: Outcome<Map<string, string | null>>,
): Section<'disks'> {
  const layoutList = layout.ok && Array.isArray(layout.value) ? layout.value : [];
  const blockList = blocks.ok && Array.isArray(blocks.value) ? blocks.value : [];
  // With an empty (VM) or failed diskLayout() the block device list must be there.
  if (layoutList.length === 0 && !blocks.ok) return unavailable(layout.ok ? blocks.reason : `${layout.reason}; ${blocks.reason}`);
  const flags = rotational.ok ? rotational.value : new Map<string, string | null>();
  return { devices: decideDisks(layoutList, blockList, flags) };
}

function virtualizationSection(
  system: Outcome<Awaited<ReturnType<SystemSource['system']>>>,
  container: Outcome<ContainerProbe>,
): Section<'virtualization'> {
  if (!system.ok) return unavailable(system.reason);
  const wsl = isWslKernel(os.release());
  const host = str(system.value.virtualHost);
  return {
    virtual: system.value.virtual === true || wsl,
    container: container.ok && container.value.container,
    hypervisor: host !== '' ? host : wsl ? 'Hyper-V' : '',
  };
}
