import { cpuVendorCategory, distroCategory, gpuVendorCategory, hypervisorCategory } from '../main/anonymize/categories.js';
import { BYTES_PER_GB, BYTES_PER_GIB, diskBucketGb, ramBucketGib } from '../main/anonymize/sizes.js';

// Reports of schema v1 carry exact byte counts and the OS's own vendor and distro names.
// They are put in the buckets and categories that v2 agents send (the agent's own rules,
// main/anonymize/sizes.ts and categories.ts), so one distribution counts both alike.

export function ramGibFromBytes(totalBytes: number): number {
  return ramBucketGib(totalBytes / BYTES_PER_GIB);
}

export function diskGbFromBytes(sizeBytes: number): number {
  return diskBucketGb(sizeBytes / BYTES_PER_GB);
}

/** A free-text name as its v2 category; '' (not reported) stays ''. */
function category(rule: (value: string) => string): (value: string) => string {
  return (value) => (value === '' ? '' : rule(value));
}

export const v1Categories = {
  distro: category(distroCategory),
  cpuVendor: category(cpuVendorCategory),
  gpuVendor: category(gpuVendorCategory),
  hypervisor: hypervisorCategory,
};
