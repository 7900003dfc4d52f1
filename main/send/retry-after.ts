/**
 * Milliseconds to wait from a `Retry-After` header: delay-seconds or an HTTP-date
 * (RFC 9110 §10.2.3). Undefined when absent or unparsable; never negative. The caller
 * caps the value: a collector must not be able to park the sender for days.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only a date with letters: Date.parse accepts bare numbers like "-5" or "1.5" as years.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
