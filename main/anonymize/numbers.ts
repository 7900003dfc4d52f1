// Big numbers keep six significant digits; the rest are zeroed toward zero, so a
// RAM size or counter stays useful but stops being a fingerprint. BigInt does the
// digit work: it is exact for every finite double, where dividing by a power of ten
// can round up across an integer boundary for values near 2^53.

export const SIGNIFICANT_DIGITS = 6;

export function roundSignificant(value: number, digits: number = SIGNIFICANT_DIGITS): number {
  if (!Number.isInteger(digits) || digits < 1 || digits > 100) {
    throw new RangeError(`roundSignificant: digits must be an integer from 1 to 100, got ${digits}`);
  }
  if (!Number.isFinite(value)) return value;
  const limit = 10 ** digits;
  if (Math.abs(value) < limit) return value;
  const whole = BigInt(Math.trunc(value));
  const negative = whole < 0n;
  const text = (negative ? -whole : whole).toString();
  const kept = text.slice(0, digits) + '0'.repeat(text.length - digits);
  // Number() picks the double nearest the truncated decimal: exact up to 2^53, and the
  // shortest form of anything larger still prints as the six kept digits (1.23456e+21).
  const result = Number(kept);
  return negative ? -result : result;
}
