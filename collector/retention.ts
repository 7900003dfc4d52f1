import { log } from '../main/util/log.js';
import type { Store } from './store/store.js';

// Retention: rows that arrived more than retention_days ago are removed, at start and
// every few hours. Each collector runs it; it is idempotent, so several collectors on
// one ClickHouse only repeat a no-op.

export const RETENTION_EVERY_MS = 6 * 3600_000;

/** The first day kept: rows that arrived before it are older than `retentionDays`. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * 86_400_000).toISOString().slice(0, 10);
}

export async function applyRetention(store: Store, now: Date, retentionDays: number): Promise<number> {
  const cutoff = retentionCutoff(now, retentionDays);
  const removed = await store.removeBefore(cutoff);
  if (removed > 0)
    log.info(`collector: retention: removed ${removed} row(s) that arrived before ${cutoff} (retention_days ${retentionDays})`);
  return removed;
}

export function scheduleRetention(store: Store, retentionDays: number, now: () => Date = () => new Date()): () => void {
  const run = (): void => {
    applyRetention(store, now(), retentionDays).catch((error: unknown) =>
      log.warn(`collector: retention did not run: ${(error as Error).message} (next try in ${RETENTION_EVERY_MS / 3600_000} h)`),
    );
  };
  const first = setTimeout(run, 1000);
  const timer = setInterval(run, RETENTION_EVERY_MS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
