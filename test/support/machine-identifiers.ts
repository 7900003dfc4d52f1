// Every string on this machine that would identify it or its user if it appeared in
// a payload. The privacy tests assert that none of the non-generic values appears in
// any anonymized payload. Values come from Node's os module and from every
// systeminformation call that reports identifiers, so a collector that copies any
// library object wholesale is caught.
//
// What is left out, and why:
// - empty strings, single characters ('/', '-') and vendor placeholders ('Default string', 'To be filled by
//   O.E.M.', 'Not Specified', 'None', '0', all-zero or all-F ids, ...): the same on
//   millions of machines, and matching them would flag harmless text;
// - loopback addresses (127.0.0.0/8, ::1) and the all-zero loopback MAC: identical on
//   every machine;
// - subnet masks, MTUs, link speeds: not identifiers.
// What is kept but marked `generic: true` (a test may choose to skip them, because a
// substring match on them would give false alarms, e.g. host name "vm" inside "KVM"):
// - values shorter than 4 characters;
// - well-known interface names (lo, eth0, en0, wlan0, docker0, enp3s0, Wi-Fi, ...);
// - well-known user names and home/mount paths (root, /root, /, /boot, /home, [SWAP]).
// Comparisons against payload text should be case-insensitive: MACs, UUIDs and
// serials are reported in either case by different tools.

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';

export interface MachineIdentifier {
  /** Where the value came from, e.g. "os.hostname" or "si.diskLayout[0].serialNum". */
  label: string;
  value: string;
  /** True when the value is too short or too common for a substring check to mean anything. */
  generic: boolean;
}

const PLACEHOLDERS = new Set([
  '-',
  'none',
  'null',
  'undefined',
  'unknown',
  'n/a',
  'na',
  '0',
  '1',
  'default',
  'default string',
  'not specified',
  'not applicable',
  'not available',
  'not defined',
  'to be filled by o.e.m.',
  'to be filled by oem',
  'o.e.m.',
  'oem',
  'system serial number',
  'system product name',
  'system manufacturer',
  'system version',
  'chassis serial number',
  'base board serial number',
  'baseboard serial number',
  'serial number',
  'default string default string',
  '0123456789',
  '123456789',
  'invalid',
  'empty',
  '03000200-0400-0500-0006-000700080009', // a UUID many boards ship with
]);

const GENERIC_INTERFACE =
  /^(lo\d*|eth\d+|en\d+|wlan\d+|wlo\d+|wwan\d+|en[opsx][0-9a-f]+(s\d+)?(f\d+)?|wl[opsx][0-9a-f]+(s\d+)?|docker\d+|virbr\d+|br\d+|tun\d+|tap\d+|utun\d+|awdl\d+|llw\d+|anpi\d+|ap\d+|bridge\d+|gif\d+|stf\d+|ham\d+|Wi-Fi( \d+)?|Ethernet( \d+)?|Loopback Pseudo-Interface \d+)$/i;
const GENERIC_VALUES = new Set([
  'root',
  'admin',
  'administrator',
  'user',
  'guest',
  '/root',
  '/',
  '/boot',
  '/boot/efi',
  '/home',
  '/var',
  '/tmp',
  '/usr',
  '[swap]',
  'swap',
  'localhost',
  'localhost.localdomain',
]);

/** A vendor placeholder or a run of one character ('00000000', 'FFFFFFFF-FFFF-...'). */
export function isPlaceholder(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === '' || PLACEHOLDERS.has(v)) return true;
  const significant = v.replace(/[-:.\s]/g, '');
  return significant === '' || /^(.)\1*$/.test(significant);
}

function isLoopbackAddress(value: string): boolean {
  const v = value.toLowerCase();
  return v.startsWith('127.') || v === '::1' || v === '0:0:0:0:0:0:0:1' || v === '::ffff:127.0.0.1';
}

/** Classifies a candidate; null when it must be left out altogether. */
export function classify(label: string, raw: unknown, kind: 'interface' | 'address' | 'other' = 'other'): MachineIdentifier | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const value = String(raw).trim();
  if (isPlaceholder(value)) return null;
  if (kind === 'address' && isLoopbackAddress(value)) return null;
  const generic = value.length < 4 || GENERIC_VALUES.has(value.toLowerCase()) || (kind === 'interface' && GENERIC_INTERFACE.test(value));
  return { label, value, generic };
}

async function settle<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch {
    return null;
  }
}

async function readTrimmed(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

export async function machineIdentifiers(): Promise<MachineIdentifier[]> {
  const found: MachineIdentifier[] = [];
  const add = (label: string, value: unknown, kind?: 'interface' | 'address' | 'other'): void => {
    const entry = classify(label, value, kind);
    if (entry !== null) found.push(entry);
  };
  const addMac = (label: string, mac: unknown): void => {
    if (typeof mac !== 'string') return;
    add(label, mac);
    // Windows tools print MACs with dashes.
    add(`${label} (dashes)`, mac.replace(/:/g, '-'));
  };

  // Node
  const host = os.hostname();
  add('os.hostname', host);
  add('os.hostname (short)', host.split('.')[0]);
  const user = await settle(async () => os.userInfo());
  add('os.userInfo.username', user?.username);
  add('os.userInfo.homedir', user?.homedir);
  add('os.homedir', os.homedir());
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    add(`os.networkInterfaces interface`, name, 'interface');
    for (const a of addresses ?? []) {
      add(`os.networkInterfaces[${name}] ${a.family}`, a.address.split('%')[0], 'address');
      if (!a.internal) addMac(`os.networkInterfaces[${name}] mac`, a.mac);
    }
  }
  for (const path of ['/etc/machine-id', '/var/lib/dbus/machine-id', '/etc/hostid']) add(path, await readTrimmed(path));

  // systeminformation
  const [osInfo, system, bios, baseboard, chassis, uuid, disks, blocks, users, nets] = await Promise.all([
    settle(() => si.osInfo()),
    settle(() => si.system()),
    settle(() => si.bios()),
    settle(() => si.baseboard()),
    settle(() => si.chassis()),
    settle(() => si.uuid()),
    settle(() => si.diskLayout()),
    settle(() => si.blockDevices()),
    settle(() => si.users()),
    settle(() => si.networkInterfaces()),
  ]);
  add('si.osInfo.hostname', osInfo?.hostname);
  add('si.osInfo.fqdn', osInfo?.fqdn);
  add('si.osInfo.serial', osInfo?.serial);
  add('si.system.serial', system?.serial);
  add('si.system.uuid', system?.uuid);
  add('si.system.sku', system?.sku);
  add('si.bios.serial', bios?.serial);
  add('si.baseboard.serial', baseboard?.serial);
  add('si.baseboard.assetTag', baseboard?.assetTag);
  add('si.chassis.serial', chassis?.serial);
  add('si.chassis.assetTag', chassis?.assetTag);
  add('si.uuid.os', uuid?.os);
  add('si.uuid.hardware', uuid?.hardware);
  for (const mac of uuid?.macs ?? []) addMac('si.uuid.macs', mac);
  (disks ?? []).forEach((d, i) => add(`si.diskLayout[${i}].serialNum`, d.serialNum));
  (blocks ?? []).forEach((b, i) => {
    add(`si.blockDevices[${i}].uuid`, b.uuid);
    add(`si.blockDevices[${i}].serial`, b.serial);
    add(`si.blockDevices[${i}].label`, b.label);
    add(`si.blockDevices[${i}].mount`, b.mount);
  });
  for (const u of users ?? []) {
    add('si.users.user', u.user);
    add('si.users.ip', u.ip, 'address');
  }
  const netList = Array.isArray(nets) ? nets : nets === null ? [] : [nets];
  for (const n of netList) {
    add('si.networkInterfaces.iface', n.iface, 'interface');
    add('si.networkInterfaces.ifaceName', n.ifaceName, 'interface');
    add(`si.networkInterfaces[${n.iface}].ip4`, n.ip4, 'address');
    add(`si.networkInterfaces[${n.iface}].ip6`, n.ip6.split('%')[0], 'address');
    if (!n.internal) addMac(`si.networkInterfaces[${n.iface}].mac`, n.mac);
    // A DHCP-provided DNS suffix is usually the organisation's domain.
    add(`si.networkInterfaces[${n.iface}].dnsSuffix`, n.dnsSuffix);
  }

  // One entry per value; the first label names it.
  const seen = new Set<string>();
  return found.filter((entry) => {
    const key = entry.value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
