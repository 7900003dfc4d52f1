// Values that are the same on many machines leave as categories, never as hashes: a
// receiver can count "production" or "NVIDIA", and a value outside its list leaves as
// `other`. Each classifier's output is one of its list's entries by construction.

export const OTHER = 'other';

export const RUN_MODES = [
  'production',
  'development',
  'staging',
  'test',
  'testing',
  'dev',
  'prod',
  'local',
  'ci',
  'qa',
  'demo',
  OTHER,
] as const;

export const DISTROS = [
  'Debian GNU/Linux',
  'Ubuntu',
  'Linux Mint',
  'Pop!_OS',
  'elementary OS',
  'Fedora Linux',
  'Red Hat Enterprise Linux',
  'CentOS',
  'Rocky Linux',
  'AlmaLinux',
  'Oracle Linux',
  'Amazon Linux',
  'Arch Linux',
  'Manjaro Linux',
  'EndeavourOS',
  'openSUSE',
  'SUSE Linux Enterprise',
  'Alpine Linux',
  'Gentoo',
  'NixOS',
  'Kali Linux',
  'Raspberry Pi OS',
  'Chrome OS',
  'macOS',
  'Windows',
  'Windows 10',
  'Windows 11',
  'Windows Server',
  'FreeBSD',
  OTHER,
] as const;

export const CPU_VENDORS = [
  'GenuineIntel',
  'AuthenticAMD',
  'Apple',
  'ARM',
  'Qualcomm',
  'HygonGenuine',
  'CentaurHauls',
  'IBM',
  OTHER,
] as const;

export const GPU_VENDORS = [
  'NVIDIA',
  'AMD',
  'Intel',
  'Apple',
  'Qualcomm',
  'ARM',
  'Microsoft',
  'VMware',
  'VirtualBox',
  'Red Hat',
  'QEMU',
  'Parallels',
  'Matrox',
  'ASPEED',
  'Broadcom',
  OTHER,
] as const;

export const HYPERVISORS = [
  'none',
  'KVM',
  'QEMU',
  'VMware',
  'Hyper-V',
  'VirtualBox',
  'Xen',
  'Parallels',
  'bhyve',
  'Amazon EC2',
  'Google',
  OTHER,
] as const;

function exact(list: readonly string[], value: string): string | null {
  return list.includes(value) ? value : null;
}

/** First entry whose keyword occurs in the value (case-insensitive), else `other`. */
function byKeyword(value: string, keywords: ReadonlyArray<readonly [string, string]>): string {
  const lower = value.toLowerCase();
  for (const [keyword, category] of keywords) if (lower.includes(keyword)) return category;
  return OTHER;
}

export function runModeCategory(value: string): string {
  return exact(RUN_MODES, value.toLowerCase()) ?? OTHER;
}

const DISTRO_KEYWORDS: ReadonlyArray<readonly [string, string]> = [
  ['windows server', 'Windows Server'],
  ['windows 11', 'Windows 11'],
  ['windows 10', 'Windows 10'],
  ['windows', 'Windows'],
  ['macos', 'macOS'],
  ['mac os', 'macOS'],
  ['os x', 'macOS'],
  ['red hat', 'Red Hat Enterprise Linux'],
  ['suse linux enterprise', 'SUSE Linux Enterprise'],
  ['sles', 'SUSE Linux Enterprise'],
  ['opensuse', 'openSUSE'],
  ['linux mint', 'Linux Mint'],
  ['pop!_os', 'Pop!_OS'],
  ['elementary', 'elementary OS'],
  ['ubuntu', 'Ubuntu'],
  ['raspbian', 'Raspberry Pi OS'],
  ['raspberry pi', 'Raspberry Pi OS'],
  ['debian', 'Debian GNU/Linux'],
  ['fedora', 'Fedora Linux'],
  ['centos', 'CentOS'],
  ['rocky', 'Rocky Linux'],
  ['almalinux', 'AlmaLinux'],
  ['oracle', 'Oracle Linux'],
  ['amazon', 'Amazon Linux'],
  ['manjaro', 'Manjaro Linux'],
  ['endeavour', 'EndeavourOS'],
  ['arch', 'Arch Linux'],
  ['alpine', 'Alpine Linux'],
  ['gentoo', 'Gentoo'],
  ['nixos', 'NixOS'],
  ['kali', 'Kali Linux'],
  ['chrome os', 'Chrome OS'],
  ['chromeos', 'Chrome OS'],
  ['freebsd', 'FreeBSD'],
];

/** systeminformation's distro (PRETTY_NAME-like, "Microsoft Windows 11 Pro", "macOS") as a known name. */
export function distroCategory(value: string): string {
  return exact(DISTROS, value) ?? byKeyword(value, DISTRO_KEYWORDS);
}

export function cpuVendorCategory(value: string): string {
  return (
    exact(CPU_VENDORS, value) ??
    byKeyword(value, [
      ['intel', 'GenuineIntel'],
      ['amd', 'AuthenticAMD'],
      ['apple', 'Apple'],
      ['qualcomm', 'Qualcomm'],
      ['arm', 'ARM'],
      ['hygon', 'HygonGenuine'],
      ['centaur', 'CentaurHauls'],
      ['ibm', 'IBM'],
    ])
  );
}

export function gpuVendorCategory(value: string): string {
  return (
    exact(GPU_VENDORS, value) ??
    byKeyword(value, [
      ['nvidia', 'NVIDIA'],
      ['advanced micro devices', 'AMD'],
      ['amd', 'AMD'],
      ['ati ', 'AMD'],
      ['intel', 'Intel'],
      ['apple', 'Apple'],
      ['qualcomm', 'Qualcomm'],
      ['arm', 'ARM'],
      ['microsoft', 'Microsoft'],
      ['vmware', 'VMware'],
      ['virtualbox', 'VirtualBox'],
      ['innotek', 'VirtualBox'],
      ['oracle', 'VirtualBox'],
      ['red hat', 'Red Hat'],
      ['qemu', 'QEMU'],
      ['bochs', 'QEMU'],
      ['parallels', 'Parallels'],
      ['matrox', 'Matrox'],
      ['aspeed', 'ASPEED'],
      ['broadcom', 'Broadcom'],
    ])
  );
}

export function hypervisorCategory(value: string): string {
  if (value.trim() === '') return 'none';
  return (
    exact(HYPERVISORS, value) ??
    byKeyword(value, [
      ['kvm', 'KVM'],
      ['qemu', 'QEMU'],
      ['vmware', 'VMware'],
      ['hyper-v', 'Hyper-V'],
      ['microsoft', 'Hyper-V'],
      ['virtualbox', 'VirtualBox'],
      ['xen', 'Xen'],
      ['parallels', 'Parallels'],
      ['bhyve', 'bhyve'],
      ['amazon', 'Amazon EC2'],
      ['google', 'Google'],
    ])
  );
}

/** Which config layers were loaded, by their role (never their paths). */
export const CONFIG_LAYERS = ['config.yaml', 'run-mode.yaml', 'local.yaml', 'config-path'] as const;
