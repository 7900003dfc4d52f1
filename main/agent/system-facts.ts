import type { Histogram } from '../collect/metrics.js';
import { collectSystem } from '../collect/system.js';
import type { SystemSection } from '../report/payload-schema.js';

/**
 * Static facts about this machine, read once per start, lazily, and shared by every
 * report. A failed collection is not cached: the next report tries again.
 */
export function systemFacts(timing: Histogram): () => Promise<SystemSection> {
  let pending: Promise<SystemSection> | null = null;
  return () => {
    pending ??= collectSystem({ onTiming: (name, ms) => timing.bind({ collector: name }).record(ms) }).catch((error: unknown) => {
      pending = null;
      throw error;
    });
    return pending;
  };
}
