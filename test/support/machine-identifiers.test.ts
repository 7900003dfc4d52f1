import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { classify, isPlaceholder, machineIdentifiers } from './machine-identifiers.js';

describe('machineIdentifiers on this machine', () => {
  it('lists the real host name, user and home directory', async () => {
    const ids = await machineIdentifiers();
    const values = ids.map((id) => id.value);
    expect(values).toContain(os.hostname());
    expect(values).toContain(os.userInfo().username);
    expect(values).toContain(os.homedir());
  });

  const external = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal);
  it.skipIf(external.length === 0)('lists every non-loopback IP address and MAC of this machine', async () => {
    const values = new Set((await machineIdentifiers()).map((id) => id.value.toLowerCase()));
    for (const a of external) {
      if (a === undefined) continue;
      expect(values, a.address).toContain(a.address.split('%')[0]?.toLowerCase());
      if (!isPlaceholder(a.mac)) expect(values, a.mac).toContain(a.mac.toLowerCase());
    }
  });

  it('has no empty value, placeholder, loopback address or duplicate, and marks short values generic', async () => {
    const ids = await machineIdentifiers();
    const seen = new Set<string>();
    for (const id of ids) {
      expect(id.label).not.toBe('');
      expect(isPlaceholder(id.value), `${id.label}=${id.value}`).toBe(false);
      expect(id.value).not.toMatch(/^(127\.|::1$)/);
      expect(id.value).not.toBe('00:00:00:00:00:00');
      if (id.value.length < 4) expect(id.generic, `${id.label}=${id.value}`).toBe(true);
      expect(seen.has(id.value.toLowerCase())).toBe(false);
      seen.add(id.value.toLowerCase());
    }
  });
});

describe('classify', () => {
  it.each<[string, unknown, 'interface' | 'address' | 'other', boolean | null]>([
    ['empty', '', 'other', null],
    ['dash', '-', 'other', null],
    ['OEM placeholder', 'To be filled by O.E.M.', 'other', null],
    ['Default string', 'Default string', 'other', null],
    ['all-zero UUID', '00000000-0000-0000-0000-000000000000', 'other', null],
    ['all-F serial', 'FFFFFFFF', 'other', null],
    ['zero', '0', 'other', null],
    ['not a string', { serial: 'x' }, 'other', null],
    ['IPv4 loopback', '127.0.0.1', 'address', null],
    ['IPv6 loopback', '::1', 'address', null],
    ['private IPv4', '192.168.1.20', 'address', false],
    ['link-local IPv6', 'fe80::1c2b:3cff:fe4d:5e6f', 'address', false],
    ['serial', 'S4EWNX0R123456', 'other', false],
    ['short host name', 'vm', 'other', true],
    ['root user', 'root', 'other', true],
    ['root home', '/root', 'other', true],
    ['mount /boot', '/boot', 'other', true],
    ['interface eth0', 'eth0', 'interface', true],
    ['interface enp3s0', 'enp3s0', 'interface', true],
    ['interface wlp2s0', 'wlp2s0', 'interface', true],
    ['interface Wi-Fi', 'Wi-Fi', 'interface', true],
    ['user-named interface', 'Alice Office LAN', 'interface', false],
  ])('%s', (_name, value, kind, generic) => {
    const out = classify('label', value, kind);
    if (generic === null) expect(out).toBeNull();
    else expect(out).toEqual({ label: 'label', value: String(value), generic });
  });
});
