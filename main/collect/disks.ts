// Which physical disks the machine has, and whether each is NVMe, SSD or HDD.
// systeminformation's diskLayout() knows the type on physical machines but returns
// an empty list on most VMs; there the kernel's block device list and its
// rotational flag are the best evidence. The decision is a pure function so it can
// be tested on recorded outputs of many machines.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SystemSection } from '../report/payload-schema.js';

type DisksSection = Exclude<NonNullable<SystemSection['disks']>, { unavailable: true }>;
export type DiskInfo = DisksSection['devices'][number];

/** The fields of a systeminformation diskLayout() entry this module reads. */
export interface DiskLayoutLike {
  device?: string;
  type?: string;
  interfaceType?: string;
  size?: number;
}

/** The fields of a systeminformation blockDevices() entry this module reads. */
export interface BlockDeviceLike {
  name?: string;
  type?: string;
  size?: number;
}

/** Reads a device's rotational flag ('0' / '1'); null when the kernel does not say. */
export type RotationalReader = (device: string) => Promise<string | null>;

// Not physical disks: compressed RAM swap, loop files, RAM disks, optical drives,
// floppies, network block devices.
const VIRTUAL_DEVICE = /^(zram|loop|ram|sr|fd|nbd)\d*$/;
const NVME_NAME = /^nvme\d+n\d+$/;
// Device names are used in a /sys path: nothing but a plain kernel name is accepted.
const SAFE_DEVICE_NAME = /^[A-Za-z0-9_.:-]+$/;

/** "/dev/nvme0n1" -> "nvme0n1"; other strings unchanged. */
export function deviceName(device: string): string {
  return device.startsWith('/dev/') ? device.slice('/dev/'.length) : device;
}

/** Bytes as GB (10^9, how disks are sold); the anonymizer then puts it in its marketed size. */
function sizeOf(size: number | undefined): number {
  return typeof size === 'number' && Number.isFinite(size) && size > 0 ? size / 1e9 : 0;
}

/** Evidence that does not come from diskLayout(): device name first (more specific), then the rotational flag. */
function decideByKernel(name: string, rotational: Map<string, string | null>, size: number): DiskInfo {
  if (NVME_NAME.test(name)) return { type: 'NVMe', type_source: 'device-name', size_gb: size };
  const flag = rotational.get(name)?.trim();
  if (flag === '1') return { type: 'HDD', type_source: 'rotational', size_gb: size };
  if (flag === '0') return { type: 'SSD', type_source: 'rotational', size_gb: size };
  return { type: 'unknown', type_source: 'none', size_gb: size };
}

function decideLayoutEntry(entry: DiskLayoutLike, rotational: Map<string, string | null>): DiskInfo {
  const size = sizeOf(entry.size);
  const type = (entry.type ?? '').trim().toLowerCase();
  const iface = (entry.interfaceType ?? '').trim().toLowerCase();
  if (type.includes('nvme') || iface.includes('nvme')) return { type: 'NVMe', type_source: 'diskLayout', size_gb: size };
  if (type === 'ssd') return { type: 'SSD', type_source: 'diskLayout', size_gb: size };
  // systeminformation says "HD" on Linux, macOS and Windows; "HDD" accepted as well.
  if (type === 'hd' || type === 'hdd') return { type: 'HDD', type_source: 'diskLayout', size_gb: size };
  // "Unspecified" (Windows), "SCM", "" ...: let the kernel's evidence decide if there is any.
  return decideByKernel(deviceName(entry.device ?? ''), rotational, size);
}

/**
 * One DiskInfo per physical disk. diskLayout() wins when it lists any disk; otherwise
 * blockDevices() entries of type 'disk' are used (zram, loop, ram, optical and
 * zero-sized devices skipped), typed by device name (nvme*) or rotational flag.
 */
export function decideDisks(layout: DiskLayoutLike[], blocks: BlockDeviceLike[], rotational: Map<string, string | null>): DiskInfo[] {
  const physicalLayout = layout.filter((entry) => !VIRTUAL_DEVICE.test(deviceName(entry.device ?? '')));
  if (physicalLayout.length > 0) return physicalLayout.map((entry) => decideLayoutEntry(entry, rotational));
  const out: DiskInfo[] = [];
  for (const block of blocks) {
    const name = deviceName(block.name ?? '');
    if (block.type !== 'disk' || name === '' || VIRTUAL_DEVICE.test(name)) continue;
    const size = sizeOf(block.size);
    if (size === 0) continue; // an empty card reader slot or an unused zram device
    out.push(decideByKernel(name, rotational, size));
  }
  return out;
}

/** The names decideDisks() may ask the rotational flag of: block devices of type 'disk'. */
export function candidateDevices(blocks: BlockDeviceLike[]): string[] {
  const names = blocks.filter((b) => b.type === 'disk').map((b) => deviceName(b.name ?? ''));
  return [...new Set(names.filter((n) => n !== '' && !VIRTUAL_DEVICE.test(n)))];
}

/** A reader of <sysBlockDir>/<dev>/queue/rotational; a missing or unreadable file gives null. */
export function sysRotationalReader(sysBlockDir = '/sys/block'): RotationalReader {
  return async (device) => {
    const name = deviceName(device);
    if (!SAFE_DEVICE_NAME.test(name) || name === '.' || name === '..') return null;
    try {
      return (await readFile(join(sysBlockDir, name, 'queue', 'rotational'), 'utf8')).trim();
    } catch {
      return null; // no such device, or not Linux
    }
  };
}

/** Rotational flag of each device, keyed by kernel name (without /dev/). */
export async function readRotationalFlags(
  devices: string[],
  read: RotationalReader = sysRotationalReader(),
): Promise<Map<string, string | null>> {
  const names = [...new Set(devices.map(deviceName))];
  const values = await Promise.all(
    names.map(async (name) => {
      try {
        return await read(name);
      } catch {
        return null;
      }
    }),
  );
  return new Map(names.map((name, i) => [name, values[i] ?? null]));
}
