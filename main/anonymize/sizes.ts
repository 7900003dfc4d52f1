// RAM and disk sizes leave as the marketed size they belong to: the exact byte count
// the OS reports (minus firmware reservations, partition tables, a VM's odd setting)
// is a fingerprint, the "16 GB" on the box is not.

/** Marketed RAM sizes in GiB (phones to servers). Above the list: powers of two up to RAM_TOP_GIB, which also stands for anything larger. */
export const RAM_SIZES_GIB: readonly number[] = [
  0.5, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 36, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096,
];

/**
 * The marketed size of `gib` of RAM: the smallest listed size at or above it. The OS
 * usually reports a little less than is installed (firmware and graphics reservations);
 * a value up to 2% above a size still counts as that size.
 */
export function ramBucketGib(gib: number): number {
  if (!Number.isFinite(gib) || gib <= 0) return 0;
  for (const size of RAM_SIZES_GIB) if (gib <= size * 1.02) return size;
  return Math.min(RAM_TOP_GIB, 2 ** Math.ceil(Math.log2(gib)));
}

/** 64 TiB: the largest RAM bucket ("this much or more"). */
export const RAM_TOP_GIB = 65_536;
/** 512 TB: the largest disk bucket ("this much or more"); six digits, like every big number that leaves. */
export const DISK_TOP_GB = 524_288;

/**
 * Disk sizes in GB (decimal, as marketed): powers of two from 8 GB (128, 256, 512,
 * 1024 = "1 TB", ...), which is how SSDs and HDDs are sold within a few percent
 * (500 GB and 480 GB drives fall in 512).
 */
export function diskBucketGb(gb: number): number {
  if (!Number.isFinite(gb) || gb <= 0) return 0;
  let size = 8;
  // 1.05: a "1 TB" drive reports 1000.2 GB, under the 1024 bucket; 1.05 x 1024 GB is a different drive.
  while (gb > size * 1.05 && size < DISK_TOP_GB) size *= 2;
  return size;
}

export const BYTES_PER_GIB = 2 ** 30;
export const BYTES_PER_GB = 1e9;
