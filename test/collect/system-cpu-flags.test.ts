import { describe, expect, it } from 'vitest';
import { parseCpuFlags } from '../../main/collect/cpu-flags.js';
import { CPU_FLAGS, type CpuFlag } from '../../main/report/payload-schema.js';

const only = (...set: CpuFlag[]): Record<CpuFlag, boolean> =>
  Object.fromEntries(CPU_FLAGS.map((f) => [f, set.includes(f)])) as Record<CpuFlag, boolean>;

describe('parseCpuFlags', () => {
  it.each<[string, string, Record<CpuFlag, boolean>]>([
    [
      'Linux x86 /proc/cpuinfo (underscore spelling)',
      'fpu sse sse2 ssse3 fma avx f16c avx2 avx512f avx512vl avx512_vpopcntdq aes',
      only('sse', 'sse2', 'fma', 'avx', 'f16c', 'avx2', 'avx512f', 'avx512vl', 'avx512vpopcntdq'),
    ],
    ['Linux arm64 hwcaps', 'fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid', only('neon', 'fp16')],
    [
      'macOS x86 sysctl (upper case, AVX1.0)',
      'FPU VME SSE SSE2 SSE3 AVX1.0 FMA F16C AVX2',
      only('sse', 'sse2', 'avx', 'fma', 'f16c', 'avx2'),
    ],
    [
      'Windows FeatureSet list',
      'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse-36 clfsh mmx fxsr sse sse2',
      only('sse', 'sse2'),
    ],
    ['lookalikes are not matches', 'sse4_1 sse4_2 fma4 avx512dq avx512_bf16 avx_vnni neonx', only()],
    ['empty string', '', only()],
  ])('%s', (_name, raw, expected) => {
    expect(parseCpuFlags(raw)).toEqual(expected);
  });

  it('returns exactly the CPU_FLAGS keys, nothing from the input', () => {
    expect(Object.keys(parseCpuFlags('sse secretflag hypervisor')).sort()).toEqual([...CPU_FLAGS].sort());
  });
});
