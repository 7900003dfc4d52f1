import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

// Child processes a test started must not outlive it, also when an assertion failed
// before the test's own shutdown step: register each one and reap them in afterEach.

/** Resolves once `child` has exited; SIGKILLs it first when it is still running. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** A set of children to reap: `track()` each one as it is spawned, `reap()` in afterEach/afterAll. */
export function childReaper(): { track<T extends ChildProcess>(child: T): T; reap(): Promise<void> } {
  const children = new Set<ChildProcess>();
  return {
    track(child) {
      children.add(child);
      return child;
    },
    async reap() {
      const all = [...children];
      children.clear();
      await Promise.all(all.map((child) => killAndWait(child)));
    },
  };
}
