import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { writeFileAtomicSync } from './atomic-write.js';
import { join } from 'node:path';

// One agent per data directory. The lock file holds the owner's pid and start time;
// a lock whose process is gone is stale and taken over, so a crash never wedges it.

export interface LockInfo {
  pid: number;
  started_at: string;
  port: number | null;
}

export class LockedError extends Error {
  override name = 'LockedError';
  constructor(
    readonly holder: LockInfo,
    readonly file: string,
  ) {
    super(`another Candor agent (pid ${holder.pid}, started ${holder.started_at}) is running on this data directory (${file})`);
  }
}

export const LOCK_FILE = 'agent.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : null;
  } catch {
    return null;
  }
}

/** A lock held by a live process, or null. */
export function liveLock(dataDir: string): LockInfo | null {
  const info = readLock(dataDir);
  return info && alive(info.pid) && info.pid !== process.pid ? info : null;
}

export interface InstanceLock {
  setPort(port: number): void;
  release(): void;
}

export function acquireLock(dataDir: string): InstanceLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, started_at: new Date().toISOString(), port: null };
  // The lock is written whole to a private file, then hard-linked into place: the link
  // fails if a lock exists, and a reader never sees a lock that is created but empty.
  const staged = join(dataDir, `.${LOCK_FILE}.${process.pid}`);
  for (let attempt = 0; attempt < 3; attempt++) {
    const fd = openSync(staged, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(info));
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(staged, file);
      unlinkSync(staged);
      let released = false;
      return {
        setPort(port) {
          info.port = port;
          writeFileAtomicSync(file, JSON.stringify(info), { mode: 0o600 });
        },
        release() {
          if (released) return;
          released = true;
          if (readLock(dataDir)?.pid === process.pid) unlinkSync(file);
        },
      };
    } catch (error) {
      unlinkSync(staged);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(dataDir);
      if (holder && alive(holder.pid)) throw new LockedError(holder, file);
      // Stale (dead owner or unreadable): take it over.
      try {
        unlinkSync(file);
      } catch {
        /* another starter removed it first */
      }
    }
  }
  throw new Error(`could not acquire ${file}`);
}
