// Sizes as a maintainer asks about them ("how many have 16 GB?"), for reports of schema
// v1, which carry exact byte counts. From v2 on the agent sends these buckets itself.

const RAM_GIB = [1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096];

/** Installed RAM as the marketed size: the OS reports a little less than is fitted (firmware, reserved memory). */
export function ramBucketGib(totalBytes: number): number {
  if (!(totalBytes > 0)) return 0;
  const gib = totalBytes / 2 ** 30;
  return RAM_GIB.find((size) => gib <= size * 1.02) ?? Math.ceil(gib / 1024) * 1024;
}

const DISK_GB = [
  1, 2, 4, 8, 16, 32, 64, 120, 128, 240, 250, 256, 480, 500, 512, 960, 1000, 1024, 2000, 2048, 3000, 4000, 6000, 8000, 10000, 12000, 14000,
  16000, 18000, 20000, 22000, 24000, 28000, 30000, 32000,
];

/** A disk's size (bytes) as the nearest marketed size in GB (ratio distance). */
export function diskBucketGb(sizeBytes: number): number {
  if (!(sizeBytes > 0)) return 0;
  const gb = sizeBytes / 1e9;
  let best = DISK_GB[0] as number;
  for (const size of DISK_GB) if (Math.abs(Math.log(gb / size)) < Math.abs(Math.log(gb / best))) best = size;
  return best;
}

/** GPU vendor names as the OS reports them, folded into the categories schema v2 sends. */
export function gpuVendorCategory(vendor: string): string {
  if (/nvidia/i.test(vendor)) return 'NVIDIA';
  if (/\bamd\b|\bati\b|advanced micro/i.test(vendor)) return 'AMD';
  if (/intel/i.test(vendor)) return 'Intel';
  if (/apple/i.test(vendor)) return 'Apple';
  if (/qualcomm/i.test(vendor)) return 'Qualcomm';
  if (/vmware|virtualbox|innotek|red hat|qxl|bochs|cirrus|microsoft|parallels|virtio/i.test(vendor)) return 'virtual';
  return vendor === '' ? '' : 'other';
}
