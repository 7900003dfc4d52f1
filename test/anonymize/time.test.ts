import { describe, expect, it } from 'vitest';
import { coarsenTime } from '../../main/anonymize/time.js';
import { runSeed, seeded } from '../hardening/support/random.js';

describe('coarsenTime', () => {
  const rows: Array<[string, 'minute' | 'hour', string]> = [
    ['2026-11-25T14:37:12.345Z', 'minute', '2026-11-25T14:37:00.000Z'],
    ['2026-11-25T14:37:12.345Z', 'hour', '2026-11-25T14:00:00.000Z'],
    ['2026-11-25T14:37:59.999Z', 'minute', '2026-11-25T14:37:00.000Z'],
    ['2026-11-25T14:00:00.000Z', 'hour', '2026-11-25T14:00:00.000Z'],
    ['2026-11-25T14:37Z', 'minute', '2026-11-25T14:37:00.000Z'],
    ['2026-11-25T14:37:12Z', 'hour', '2026-11-25T14:00:00.000Z'],
    ['2026-11-25t14:37:12z', 'minute', '2026-11-25T14:37:00.000Z'],
    ['2026-11-25T14:37:12.123456789Z', 'minute', '2026-11-25T14:37:00.000Z'],
    ['2026-11-25T16:37:12+02:00', 'hour', '2026-11-25T14:00:00.000Z'],
    ['2026-11-25T09:07:12-05:30', 'minute', '2026-11-25T14:37:00.000Z'],
    ['2026-11-25T14:37:12+0000', 'minute', '2026-11-25T14:37:00.000Z'],
    ['2026-01-01T00:30:00+01:00', 'hour', '2025-12-31T23:00:00.000Z'],
    ['2028-02-29T23:59:59.999Z', 'hour', '2028-02-29T23:00:00.000Z'],
    ['1969-12-31T23:59:59.999Z', 'minute', '1969-12-31T23:59:00.000Z'],
    ['0001-01-01T00:00:30Z', 'minute', '0001-01-01T00:00:00.000Z'],
  ];
  it.each(rows)('%s by %s -> %s', (input, unit, expected) => {
    expect(coarsenTime(input, unit)).toBe(expected);
  });

  const bad = [
    '',
    'yesterday',
    'Nov 25 2026 14:37',
    '2026-11-25',
    '2026-11-25T14:37:12', // no zone: whose local time?
    '2026-02-30T10:00:00Z',
    '2027-02-29T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-11-25T24:00:00Z',
    '2026-11-25T14:60:00Z',
    '2026-11-25T14:37:60Z',
    '2026-11-25T14:37:12+25:00',
    ' 2026-11-25T14:37:12Z',
  ];
  it.each(bad)('rejects %j with an error naming it', (input) => {
    expect(() => coarsenTime(input, 'minute')).toThrow(JSON.stringify(input));
  });

  it('rejects an unknown unit by name', () => {
    expect(() => coarsenTime('2026-11-25T14:37:12Z', 'day' as 'hour')).toThrow(/unknown unit "day"/);
  });

  it('is idempotent and never moves a time forward', () => {
    // Seeded: a failure names its seed; HARDENING_SEED=<seed> replays it.
    const seed = runSeed();
    const random = seeded(seed);
    for (let i = 0; i < 500; i++) {
      const iso = new Date(Date.UTC(2000, 0, 1) + Math.floor(random() * 1e12)).toISOString();
      for (const unit of ['minute', 'hour'] as const) {
        const what = `${iso} to the ${unit} (seed ${seed})`;
        const once = coarsenTime(iso, unit);
        expect(coarsenTime(once, unit), what).toBe(once);
        expect(Date.parse(once), what).toBeLessThanOrEqual(Date.parse(iso));
        expect(Date.parse(iso) - Date.parse(once), what).toBeLessThan(unit === 'minute' ? 60_000 : 3_600_000);
      }
    }
  });
});
