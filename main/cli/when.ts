import { localDate } from '../control/effective-state.js';

// Times as the command line shows them: the same local clock the reasons use
// ("paused until 14:00", with the date when it is not today), plus how far away.

const pad = (n: number): string => String(n).padStart(2, '0');

function distance(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

/** "17:31 (in 42 min)", or "2026-11-30 09:00 (in 15 h 29 min)" when not today. */
export function formatWhen(when: Date, now: Date = new Date()): string {
  const clock = `${pad(when.getHours())}:${pad(when.getMinutes())}`;
  const day = localDate(when) === localDate(now) ? '' : `${localDate(when)} `;
  const ahead = when.getTime() - now.getTime();
  return `${day}${clock} (${ahead > 0 ? `in ${distance(ahead)}` : 'due now'})`;
}
