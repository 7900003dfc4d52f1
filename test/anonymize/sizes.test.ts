import { describe, expect, it } from 'vitest';
import { coarseNumber, coarseSetting, roundFraction, significantDigits } from '../../main/anonymize/numbers.js';
import { DISK_TOP_GB, diskBucketGb, RAM_TOP_GIB, ramBucketGib } from '../../main/anonymize/sizes.js';

describe('marketed sizes', () => {
  it.each([
    [15.559, 16], // a 16 GiB laptop, minus firmware reservations
    [7.7, 8],
    [23.54, 24], // this test machine's VM
    [16.2, 16], // a hair above still counts as the size
    [31.1, 32],
    [0.45, 0.5],
    [5000, 8192],
    [10_000_000, RAM_TOP_GIB],
    [0, 0],
    [-3, 0],
  ])('RAM %p GiB leaves as %p', (gib, bucket) => {
    expect(ramBucketGib(gib)).toBe(bucket);
  });

  it.each([
    [512.110190592, 512], // a "512 GB" NVMe
    [500.107862016, 512], // a "500 GB" one
    [480.103981056, 512],
    [1000.204886016, 1024], // "1 TB"
    [2000.398934016, 2048],
    [256.060514304, 256],
    [107.3741824, 128],
    [15.5189248, 16],
    [1e12, DISK_TOP_GB],
    [0, 0],
  ])('disk %p GB leaves as %p', (gb, bucket) => {
    expect(diskBucketGb(gb)).toBe(bucket);
  });

  it('a bucket is its own bucket (a receiver can check a report was bucketed)', () => {
    for (const gib of [0.5, 1, 3, 12, 24, 96, 1536, 8192, RAM_TOP_GIB]) expect(ramBucketGib(gib)).toBe(gib);
    for (let gb = 8; gb <= DISK_TOP_GB; gb *= 2) expect(diskBucketGb(gb)).toBe(gb);
  });
});

describe('precision', () => {
  it.each([
    [0.123456, 0.123],
    [37.4567, 37.5],
    [2.594, 2.59],
    [12345.678, 12300],
    [1_234_567.891, 1_230_000],
    [123_456_789, 123_456_000],
    [999_999, 999_999],
    [-0.000123456, -0.000123],
    [0, 0],
  ])('coarseNumber(%p) = %p', (value, expected) => {
    expect(coarseNumber(value)).toBe(expected);
  });

  it('is idempotent, and never leaves more digits than the rules allow', () => {
    for (const value of [Math.PI, 1e-9 / 3, 2 / 3, 1_000_000.5, 9_876_543_210.123, 86_407, 0.1 + 0.2]) {
      const once = coarseNumber(value);
      expect(coarseNumber(once)).toBe(once);
      if (!Number.isInteger(once)) expect(significantDigits(once)).toBeLessThanOrEqual(3);
      else if (Math.abs(once) >= 1_000_000) expect(significantDigits(once)).toBeLessThanOrEqual(6);
    }
  });

  it('settings keep three significant digits', () => {
    expect(coarseSetting(3607)).toBe(3610);
    expect(coarseSetting(3600)).toBe(3600);
    expect(coarseSetting(86_400)).toBe(86_400);
    expect(roundFraction(-0.0004, 1)).toBe(-0.0004);
  });

  it('counts significant digits as JSON prints the number', () => {
    expect(significantDigits(123_456_000)).toBe(6);
    expect(significantDigits(0.00123)).toBe(3);
    expect(significantDigits(1.5)).toBe(2);
    expect(significantDigits(0)).toBe(0);
  });
});
