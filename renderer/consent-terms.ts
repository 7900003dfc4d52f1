import type { AgentStatus } from '../main/api.js';

// What granting consent agrees to, in plain words built from the agent's own settings.

/** What each details level adds to the one below (the same words as the level picker). */
const levelAdds = [
  'the app and a coarse system description',
  'hardware and configuration',
  'a performance summary',
  'per-metric detail and recent samples',
  'error reports',
];

export function levelContents(level: number): string {
  const parts = levelAdds.slice(0, Math.max(0, Math.min(level, levelAdds.length - 1)) + 1);
  return parts.length === 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`;
}

/** "hour", "6 hours", "90 seconds": for "every …". */
export function humanInterval(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      return count === 1 ? name : `${count} ${name}s`;
    }
  }
  return seconds === 1 ? 'second' : `${seconds} seconds`;
}

export function consentTerms(status: AgentStatus): string {
  if (status.endpoint_host === null) return 'No endpoint is configured yet, so nothing would be sent even with consent.';
  return (
    `With consent, Candor would send an anonymized report at details level ${status.details_level} ` +
    `(${levelContents(status.details_level)}) every ${humanInterval(status.send_interval_s)} to ${status.endpoint_host}.`
  );
}
