// Reduces systeminformation's free-form flag string to the fixed CPU_FLAGS list.
// Linux x86 spells /proc/cpuinfo names ("avx512_vpopcntdq"), Linux ARM spells
// hwcaps ("asimd", "fphp"), macOS spells sysctl features ("AVX1.0", "AVX512F").

import { CPU_FLAGS, type CpuFlag } from '../report/payload-schema.js';

const ALIASES: Record<string, CpuFlag> = {
  'avx1.0': 'avx', // macOS machdep.cpu.features
  asimd: 'neon', // ARMv8 Advanced SIMD is NEON
  fphp: 'fp16',
  asimdhp: 'fp16',
};

const KNOWN = new Set<string>(CPU_FLAGS);

export function parseCpuFlags(raw: string): Record<CpuFlag, boolean> {
  const out = Object.fromEntries(CPU_FLAGS.map((f) => [f, false])) as Record<CpuFlag, boolean>;
  for (const token of raw.toLowerCase().split(/[\s,]+/)) {
    if (token === '') continue;
    const alias = ALIASES[token];
    if (alias !== undefined) {
      out[alias] = true;
      continue;
    }
    const plain = token.replace(/_/g, '');
    if (KNOWN.has(plain)) out[plain as CpuFlag] = true;
  }
  return out;
}
