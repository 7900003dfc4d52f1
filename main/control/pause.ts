// Pause durations as a person types them: "30m", "1h", "24h", "90s", "7d", "1h30m",
// or "until-restart". A pause longer than this is a disable, and should be one.
export const MAX_PAUSE_MS = 30 * 24 * 3600 * 1000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parsePauseDuration(text: string): { untilRestart: true } | { untilRestart: false; ms: number } {
  const input = text.trim().toLowerCase();
  if (input === 'until-restart' || input === 'restart') return { untilRestart: true };
  const bad = (why: string): Error =>
    new Error(`invalid pause duration ${JSON.stringify(text)}: ${why} (examples: 30m, 1h, 24h, 90s, 7d, 1h30m, until-restart)`);
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(input)) return throwIt(bad('expected a number followed by s, m, h or d'));
  let ms = 0;
  for (const match of input.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) {
    ms += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  }
  ms = Math.round(ms);
  if (!Number.isFinite(ms) || ms <= 0) return throwIt(bad('the duration must be longer than zero'));
  if (ms > MAX_PAUSE_MS) return throwIt(bad('at most 30 days; to stop for longer, disable telemetry instead'));
  return { untilRestart: false, ms };
}

function throwIt(error: Error): never {
  throw error;
}
