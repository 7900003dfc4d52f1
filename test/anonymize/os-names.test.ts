import { describe, expect, it } from 'vitest';
import { applySchema } from '../../main/anonymize/apply.js';
import { NO_ERROR_CONTEXT, RULES } from '../../main/anonymize/rules.js';
import { scrubText, type ScrubContext } from '../../main/anonymize/text.js';
import { payloadJsonSchema } from '../../main/report/payload-schema.js';
import { rawPayload } from './raw-payload.js';

// The OS and hardware names (distro, release, kernel, CPU brand, GPU vendor and model)
// are free text from the OS, so they leave rebuilt from safe parts: a listed name, a
// version number, hardware words. The scrubber stays as a second line and must leave
// the ordinary values as they are.

const ctx: ScrubContext = {
  homeDirs: ['/home/bob'],
  userNames: ['bob', 'Bob Smith'],
  hostNames: ['bob-laptop'],
  appRoot: '/home/bob/candor',
};

const ORDINARY = [
  // distro and release
  'Debian GNU/Linux',
  'Debian GNU/Linux 12 (bookworm)',
  'Ubuntu 24.04.1 LTS',
  'Fedora Linux',
  'macOS',
  'Microsoft Windows 11 Pro',
  'Alpine Linux v3.20',
  'openSUSE Tumbleweed',
  '12',
  '24.04',
  '10.0.22631',
  '10.0.19045.4170',
  '14.5',
  // kernel
  '6.1.0-18-amd64',
  '6.8.0-45-generic',
  '23.5.0',
  '6.10.10-arch1-1',
  '4.18.0-553.el8_10.x86_64',
  '6.6.31-linuxkit',
  '6.9.3-76060903-generic',
  // CPU brand
  'Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz',
  'AMD Ryzen 9 7950X 16-Core Processor',
  'Apple M2 Pro',
  'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz',
  'QEMU Virtual CPU version 2.5+',
  'Common KVM processor',
  'Cortex-A72',
  'ARMv8 Processor rev 1 (v8l)',
  // GPU vendor and model
  'NVIDIA Corporation',
  'Advanced Micro Devices, Inc. [AMD/ATI]',
  'Intel Corporation',
  'Apple',
  'NVIDIA GeForce RTX 3060 Laptop GPU',
  'AD102 [GeForce RTX 4090]',
  'Navi 31 [Radeon RX 7900 XT/7900 XTX/7900M]',
  'Alder Lake-P GT2 [Iris Xe Graphics]',
  'llvmpipe (LLVM 15.0.6, 256 bits)',
  'Microsoft Basic Render Driver',
  'VMware SVGA II Adapter',
  'Red Hat, Inc. Virtio 1.0 GPU',
  'Mesa Intel(R) UHD Graphics 620 (KBL GT2)',
  'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)',
  'ASPEED Graphics Family',
  'Parallels Display Adapter (WDDM)',
];

const IDENTIFYING: Array<[string, string]> = [
  ['6.8.0-bob-laptop', '6.8.0-<host>'],
  ['6.8.0-bob', '6.8.0-<user>'],
  ['Debian GNU/Linux (bob-laptop)', 'Debian GNU/Linux (<host>)'],
  ['QEMU Virtual CPU Bob Smith', 'QEMU Virtual CPU <user>'],
  ['Ubuntu on build-7.corp.example.com', 'Ubuntu on <host>'],
  // A WSL kernel's four-part version reads as an IPv4 address: the scrubber takes
  // the address; the flavour after it stays.
  ['5.15.153.1-microsoft-standard-WSL2', '<ip>-microsoft-standard-WSL2'],
];

describe('OS and hardware names', () => {
  it.each(ORDINARY)('%j is left unchanged by the scrubber (the second line)', (value) => {
    expect(scrubText(value, ctx)).toBe(value);
  });

  it.each(IDENTIFYING)('%j -> %j by the scrubber', (value, expected) => {
    expect(scrubText(value, ctx)).toBe(expected);
  });

  it('leave rebuilt from safe parts: categories, version numbers, hardware words', () => {
    const schema = payloadJsonSchema() as { properties: Record<string, unknown> };
    const props = (node: unknown): Record<string, { 'x-rule'?: string; properties?: unknown; items?: unknown }> => {
      const n = node as { properties?: Record<string, never>; anyOf?: unknown[]; oneOf?: unknown[] };
      const branches = n.anyOf ?? n.oneOf;
      if (branches)
        return props(branches.find((b) => (b as { properties?: { unavailable?: unknown } }).properties?.unavailable === undefined));
      return n.properties ?? {};
    };
    const system = props(schema.properties['system']);
    const os = props(system['os']);
    const cpu = props(system['cpu']);
    const gpu = props((props(system['gpus'])['devices'] as { items: unknown }).items);
    const virt = props(system['virtualization']);
    const rules = [os['distro'], os['release'], os['kernel'], cpu['brand'], cpu['vendor'], gpu['vendor'], gpu['model'], virt['hypervisor']];
    expect(rules.map((f) => f?.['x-rule'])).toEqual([
      'distro',
      'version',
      'version',
      'hardware-model',
      'cpu-vendor',
      'gpu-vendor',
      'hardware-model',
      'hypervisor',
    ]);
  });

  it.each([
    ['distro', 'Debian GNU/Linux 12 (bookworm)', 'Debian GNU/Linux'],
    ['distro', 'Microsoft Windows 11 Pro', 'Windows 11'],
    ['distro', 'Ubuntu 24.04.1 LTS', 'Ubuntu'],
    ['distro', 'Debian GNU/Linux (bob-laptop)', 'Debian GNU/Linux'],
    ['distro', 'Bob Smith Linux', 'other'],
    ['version', '6.8.0-bob-laptop', '6.8.0'],
    ['version', '10.0.19045.4170', '10.0.19045.4170'],
    ['version', '5.15.153.1-microsoft-standard-WSL2', '5.15.153.1'],
    ['hardware-model', 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz', 'Intel Xeon Platinum 8375C CPU @ 2.90GHz'],
    ['hardware-model', 'QEMU Virtual CPU Bob Smith', 'QEMU Virtual CPU'],
    ['hardware-model', 'NVIDIA GeForce RTX 3060 Laptop GPU', 'NVIDIA GeForce RTX 3060 Laptop GPU'],
    ['hardware-model', 'Virtio GPU of bob-laptop', 'Virtio GPU'],
    ['gpu-vendor', 'Advanced Micro Devices, Inc. [AMD/ATI]', 'AMD'],
    ['gpu-vendor', 'bob', 'other'],
    ['hypervisor', 'KVM', 'KVM'],
    ['hypervisor', '', 'none'],
  ])('%s: %j leaves as %j', (rule, value, expected) => {
    const out = RULES[rule as keyof typeof RULES].apply(value, {
      key: Buffer.alloc(32, 1),
      scrub: ctx,
      errors: NO_ERROR_CONTEXT,
      categories: null,
    });
    expect(out).toBe(expected);
  });

  it('a name in them does not reach the anonymized payload', () => {
    const raw = rawPayload() as {
      system: { os: Record<string, unknown>; cpu: Record<string, unknown>; gpus: { devices: Array<Record<string, unknown>> } };
    };
    raw.system.os['kernel'] = '6.8.0-bob-laptop';
    raw.system.os['distro'] = 'Debian GNU/Linux (Bob Smith)';
    raw.system.cpu['brand'] = 'QEMU Virtual CPU bob-laptop';
    raw.system.gpus.devices = [{ vendor: 'bob', model: 'Virtio GPU of bob-laptop' }];
    const { payload } = applySchema(raw, payloadJsonSchema(), { level: 1, anonymize: true, key: Buffer.alloc(32, 1), scrub: ctx });
    const text = JSON.stringify(payload).toLowerCase();
    expect(text).not.toContain('bob');
    expect(text).toContain('"kernel":"6.8.0"');
    expect(text).toContain('"brand":"qemu virtual cpu"');
  });
});
