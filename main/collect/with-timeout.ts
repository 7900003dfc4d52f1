// Every collector call goes through here so that one slow or broken probe
// (a hung lspci, a missing /sys file) costs at most `ms` and never an exception.

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs `run` and resolves with its value, or with a reason when it throws or takes
 * longer than `ms`. Never rejects. A hung promise is left behind (JavaScript cannot
 * cancel it); its late rejection is swallowed so it cannot become unhandled.
 */
export function withTimeout<T>(label: string, ms: number, run: () => Promise<T>): Promise<Outcome<T>> {
  if (!Number.isFinite(ms) || ms <= 0) {
    return Promise.resolve({ ok: false, reason: `${label} failed: timeout must be a positive number of ms, got ${String(ms)}` });
  }
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      resolve({ ok: false, reason: `${label} timed out after ${ms} ms` });
    }, ms);
    let pending: Promise<T>;
    try {
      pending = run();
    } catch (error) {
      // A synchronous throw from `run` is treated like a rejection.
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ok: false, reason: `${label} failed: ${messageOf(error)}` });
      },
    );
  });
}
