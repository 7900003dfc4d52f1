// Timestamps are floored to the minute or hour: enough to order events, too coarse to
// line them up with other logs of the same machine.

export type TimeUnit = 'minute' | 'hour';

const UNIT_MS: Record<TimeUnit, number> = { minute: 60_000, hour: 3_600_000 };

// ISO 8601 date-time with seconds optional and an explicit zone. Date.parse alone
// would also accept "Nov 25 2026" and roll 2026-02-30 over into March.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

function parseIso(iso: string): number | null {
  const m = ISO.exec(iso);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', z, sign, oh = '0', om = '0'] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const offH = Number(oh),
    offM = Number(om);
  if (z === undefined && (offH > 23 || offM > 59)) return null;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  const offset = z !== undefined ? 0 : (sign === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  return date.getTime() - offset;
}

/** Floor an ISO 8601 date-time to the minute or hour; the result is UTC with `Z`. */
export function coarsenTime(iso: string, unit: TimeUnit): string {
  const step = UNIT_MS[unit] as number | undefined;
  if (step === undefined) throw new Error(`coarsenTime: unknown unit ${JSON.stringify(unit)} (expected minute or hour)`);
  const ms = typeof iso === 'string' ? parseIso(iso) : null;
  if (ms === null || !Number.isFinite(ms)) {
    throw new Error(`coarsenTime: ${JSON.stringify(iso)} is not an ISO 8601 date-time with a zone (e.g. 2026-11-25T14:37:12.345Z)`);
  }
  return new Date(Math.floor(ms / step) * step).toISOString();
}
