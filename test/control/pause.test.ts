import { describe, expect, it } from 'vitest';
import { MAX_PAUSE_MS, parsePauseDuration } from '../../main/control/pause.js';

describe('parsePauseDuration', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['90s', 90_000],
    ['7d', 7 * 86_400_000],
    ['1h30m', 90 * 60_000],
    [' 2H ', 7_200_000],
    ['1.5h', 5_400_000],
  ])('%j -> %d ms', (text, ms) => {
    expect(parsePauseDuration(text)).toEqual({ untilRestart: false, ms });
  });

  it('until-restart', () => {
    expect(parsePauseDuration('until-restart')).toEqual({ untilRestart: true });
    expect(parsePauseDuration('Until-Restart')).toEqual({ untilRestart: true });
  });

  it.each(['', 'soon', '10', 'm', '-5m', '0m', '1w', '1h 30m', '31d'])('rejects %j with an error naming it', (text) => {
    expect(() => parsePauseDuration(text)).toThrow(`invalid pause duration ${JSON.stringify(text)}`);
  });

  it('the 30 day limit is inclusive', () => {
    expect(parsePauseDuration('30d')).toEqual({ untilRestart: false, ms: MAX_PAUSE_MS });
  });
});
