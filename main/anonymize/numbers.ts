// Numbers leave with only the precision they need:
//  - integers of 1,000,000 and above keep six significant digits, the rest zeroed
//    toward zero (the seed's rule: 123456789 -> 123456000);
//  - anything with a fraction (ratios, percentages, durations, loads, GHz) keeps at
//    most three significant digits, so a percentage cannot give back the exact size a
//    bucket rounded away (mem_used_pct x RAM);
//  - operator-chosen settings (intervals) keep three, since an odd value would otherwise
//    tell one install's restarts apart.
// BigInt does the integer digit work: it is exact for every finite double, where
// dividing by a power of ten can round up across an integer boundary near 2^53.

export const SIGNIFICANT_DIGITS = 6;
export const FRACTION_DIGITS = 3;
export const SETTING_DIGITS = 3;

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 1 || digits > 100) {
    throw new RangeError(`digits must be an integer from 1 to 100, got ${digits}`);
  }
}

/** Truncates an integer (or the integer part of a number) to `digits` significant digits. */
export function roundSignificant(value: number, digits: number = SIGNIFICANT_DIGITS): number {
  checkDigits(digits);
  if (!Number.isFinite(value)) return value;
  const limit = 10 ** digits;
  if (Math.abs(value) < limit) return value;
  const whole = BigInt(Math.trunc(value));
  const negative = whole < 0n;
  const text = (negative ? -whole : whole).toString();
  const kept = text.slice(0, digits) + '0'.repeat(text.length - digits);
  // Number() picks the double nearest the truncated decimal: exact up to 2^53, and the
  // shortest form of anything larger still prints as the kept digits (1.23456e+21).
  const result = Number(kept);
  return negative ? -result : result;
}

/** A number with a fraction, to at most `digits` significant digits (nearest; -0 becomes 0). */
export function roundFraction(value: number, digits: number = FRACTION_DIGITS): number {
  checkDigits(digits);
  if (!Number.isFinite(value) || value === 0) return value === 0 ? 0 : value;
  const out = Number(value.toPrecision(digits));
  return out === 0 ? 0 : out;
}

/** The payload rule for measured numbers: integers by the six-digit rule, fractions by the three-digit one. */
export function coarseNumber(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Number.isInteger(value)) return roundSignificant(value, SIGNIFICANT_DIGITS);
  const rounded = roundFraction(value, FRACTION_DIGITS);
  // 1234567.891 -> 1230000 by three digits; big values then also obey the six-digit rule.
  return Number.isInteger(rounded) ? roundSignificant(rounded, SIGNIFICANT_DIGITS) : rounded;
}

/** Operator-chosen numbers: three significant digits, whether whole or not. */
export function coarseSetting(value: number): number {
  if (!Number.isFinite(value)) return value;
  return roundFraction(value, SETTING_DIGITS);
}

/** Significant digits of a number as JSON prints it (trailing zeros of an integer do not count). */
export function significantDigits(value: number): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  const [mantissa = ''] = Math.abs(value).toExponential().split('e');
  return mantissa.replace('.', '').replace(/0+$/, '').length || 1;
}
