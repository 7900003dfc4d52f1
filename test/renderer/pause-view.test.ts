import { describe, expect, it } from 'vitest';
import { msUntilPauseEnds, pauseInForce, statusAt } from '../../renderer/pause-view.js';
import { formatTime } from '../../renderer/time-format.js';
import { statusFixture } from '../desktop/fake-api.js';

// The page's view of a pause at a given moment (pure; the browser tests drive it for real).

const NOW = new Date('2026-11-29T17:00:00.000Z');
const LATER = '2026-11-29T17:30:00.000Z';
const EARLIER = '2026-11-29T16:30:00.000Z';

describe('pause view', () => {
  it('a pause is in force until its end, until restart, or when its end cannot be read', () => {
    expect(pauseInForce(null, NOW)).toBe(false);
    expect(pauseInForce('restart', NOW)).toBe(true);
    expect(pauseInForce(LATER, NOW)).toBe(true);
    expect(pauseInForce(EARLIER, NOW)).toBe(false);
    expect(pauseInForce(NOW.toISOString(), NOW)).toBe(false);
    expect(pauseInForce('not a time', NOW)).toBe(true);
  });

  it('words a pause in force in the page format, in the place the agent listed it', () => {
    const status = statusFixture({
      sending: false,
      paused_until: LATER,
      reasons: ['no endpoint configured', 'paused until 17:30', 'no consent given yet'],
    });
    expect(statusAt(status, NOW).reasons).toEqual(['no endpoint configured', `paused until ${formatTime(LATER)}`, 'no consent given yet']);
    expect(statusAt(status, NOW).paused_until).toBe(LATER);
    expect(statusAt(statusFixture({ sending: false, paused_until: 'restart', reasons: ['paused until restart'] }), NOW).reasons).toEqual([
      'paused until Candor restarts',
    ]);
  });

  it('drops a pause whose end has passed, and its reason; sending is on when no other reason is left', () => {
    const alone = statusAt(statusFixture({ sending: false, paused_until: EARLIER, reasons: ['paused until 16:30'] }), NOW);
    expect(alone).toMatchObject({ paused_until: null, reasons: [], sending: true });
    const withOthers = statusAt(
      statusFixture({ sending: false, paused_until: EARLIER, reasons: ['disabled by you', 'paused until 16:30'] }),
      NOW,
    );
    expect(withOthers).toMatchObject({ paused_until: null, reasons: ['disabled by you'], sending: false });
    // The agent already dropped the reason but still reports the old end.
    expect(statusAt(statusFixture({ sending: true, paused_until: EARLIER, reasons: [] }), NOW)).toMatchObject({
      paused_until: null,
      sending: true,
    });
  });

  it('leaves a state without a pause as it is', () => {
    const status = statusFixture({ sending: false, reasons: ['no consent given yet'] });
    expect(statusAt(status, NOW)).toBe(status);
  });

  it('knows when a timed pause ends, and that the others do not end by themselves', () => {
    expect(msUntilPauseEnds(statusFixture({ paused_until: LATER }), NOW)).toBe(30 * 60_000);
    expect(msUntilPauseEnds(statusFixture({ paused_until: EARLIER }), NOW)).toBeNull();
    expect(msUntilPauseEnds(statusFixture({ paused_until: 'restart' }), NOW)).toBeNull();
    expect(msUntilPauseEnds(statusFixture({ paused_until: null }), NOW)).toBeNull();
  });
});
