import type { AgentStatus } from '../main/api.js';
import { formatTime } from './time-format.js';

// The state as it is now, not as it was when the agent last spoke: a timed pause whose
// end has passed is over, whatever the last status said. The agent's own words for a
// pause carry a time in its format; the page says it in its one format instead.

/** The agent's reason for a pause: "paused until …", "paused until restart", "paused (unreadable end time)". */
const PAUSE_REASON = /^paused\b/;

/** A timed pause is in force while its end is ahead; an unreadable end counts as paused, as in the agent. */
export function pauseInForce(pausedUntil: string | null, now: Date): boolean {
  if (pausedUntil === null) return false;
  if (pausedUntil === 'restart') return true;
  const end = new Date(pausedUntil).getTime();
  return Number.isNaN(end) || end > now.getTime();
}

/** Milliseconds until a timed pause ends, or null when nothing will end by itself. */
export function msUntilPauseEnds(status: AgentStatus, now: Date): number | null {
  if (status.paused_until === null || status.paused_until === 'restart') return null;
  const end = new Date(status.paused_until).getTime();
  return Number.isNaN(end) || end <= now.getTime() ? null : end - now.getTime();
}

export function pauseText(pausedUntil: string): string {
  return pausedUntil === 'restart' ? 'paused until Candor restarts' : `paused until ${formatTime(pausedUntil)}`;
}

/** `status` at `now`: an ended pause removed (with its reason), a pause in force worded in the page's time format. */
export function statusAt(status: AgentStatus, now: Date): AgentStatus {
  const inForce = pauseInForce(status.paused_until, now);
  const others = status.reasons.filter((reason) => !PAUSE_REASON.test(reason));
  if (inForce && status.paused_until !== null) {
    const hadReason = others.length < status.reasons.length;
    const index = status.reasons.findIndex((reason) => PAUSE_REASON.test(reason));
    const reasons = [...others];
    // Keep the agent's order; a pause the agent did not list as a reason is not added.
    if (hadReason) reasons.splice(index, 0, pauseText(status.paused_until));
    return { ...status, reasons };
  }
  if (status.paused_until === null && others.length === status.reasons.length) return status;
  // The pause is over: the agent says "sending" exactly when no reason is left.
  return { ...status, paused_until: null, reasons: others, sending: status.sending || others.length === 0 };
}
