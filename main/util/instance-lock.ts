import { closeSync, constants, fchmodSync, linkSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';
import { ensureSafeDataDir } from './data-dir.js';
import { PRIVATE_FILE_MODE } from './private-mode.js';
import { processStartId } from './process-start.js';
import { isSymlinkRefused, openNoFollowSync, readTextNoFollowSync } from './safe-open.js';

// One agent per data directory. The lock file holds the owner's pid, its process start
// (process-start.ts) and when it started. A lock is stale, and taken over, when its
// process is gone, when its pid now belongs to a process that started at another time
// (pid reuse: in a container the agent is pid 1 at every start), or when it names this
// very process without this process holding it (the previous life of a pid-1 agent).
// So a crash never wedges the lock.

export interface LockInfo {
  pid: number;
  started_at: string;
  port: number | null;
  /** The owner's process start ("<boot id>:<ticks>", Linux); absent where it cannot be read and in older locks. */
  process_start?: string;
}

export class LockedError extends Error {
  override name = 'LockedError';
  constructor(
    readonly holder: LockInfo,
    readonly file: string,
  ) {
    super(
      `another Candor agent (pid ${holder.pid}, started ${holder.started_at}) is running on this data directory (${file}); if none is, remove ${file}`,
    );
  }
}

export const LOCK_FILE = 'agent.lock';

/** Lock files this process holds: a lock naming our pid is ours only if listed here. */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockInfo | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v['pid'] !== 'number' || !Number.isInteger(v['pid'])) return null;
  return {
    pid: v['pid'],
    started_at: typeof v['started_at'] === 'string' ? v['started_at'] : 'at an unknown time',
    port: typeof v['port'] === 'number' ? v['port'] : null,
    ...(typeof v['process_start'] === 'string' ? { process_start: v['process_start'] } : {}),
  };
}

/** The lock's contents, or null when there is none or it is unreadable. A link in its place is refused. */
export function readLock(dataDir: string): LockInfo | null {
  let text: string;
  try {
    text = readTextNoFollowSync(join(dataDir, LOCK_FILE));
  } catch (error) {
    if (isSymlinkRefused(error)) throw error;
    return null;
  }
  return parseLock(text);
}

/** Whether the process the lock names is the one that wrote it, still running. */
function holderLives(info: LockInfo, file: string): boolean {
  if (info.pid === process.pid) return heldHere.has(file);
  if (!alive(info.pid)) return false;
  // An older Candor's lock, or a platform without /proc: a live pid is all there is to go on.
  if (info.process_start === undefined) return true;
  const now = processStartId(info.pid);
  // Unreadable (another user's process under hidepid): do not take over what may be live.
  if (now === null) return true;
  return now === info.process_start;
}

/** A lock held by another live process, or null. */
export function liveLock(dataDir: string): LockInfo | null {
  const file = resolve(dataDir, LOCK_FILE);
  const info = readLock(dataDir);
  return info && info.pid !== process.pid && holderLives(info, file) ? info : null;
}

export interface InstanceLock {
  setPort(port: number): void;
  release(): void;
}

function writeStaged(staged: string, info: LockInfo): void {
  const fd = openNoFollowSync(staged, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, JSON.stringify(info));
  } finally {
    closeSync(fd);
  }
}

export function acquireLock(dataDir: string): InstanceLock {
  ensureSafeDataDir(dataDir);
  const file = resolve(dataDir, LOCK_FILE);
  const start = processStartId(process.pid);
  const info: LockInfo = {
    pid: process.pid,
    started_at: new Date().toISOString(),
    port: null,
    ...(start === null ? {} : { process_start: start }),
  };
  // The lock is written whole to a private file, then hard-linked into place: the link
  // fails if a lock exists, and a reader never sees a lock that is created but empty.
  const staged = resolve(dataDir, `.${LOCK_FILE}.${process.pid}`);
  for (let attempt = 0; attempt < 3; attempt++) {
    writeStaged(staged, info);
    try {
      linkSync(staged, file);
      unlinkSync(staged);
      heldHere.add(file);
      let released = false;
      return {
        setPort(port) {
          info.port = port;
          writeFileAtomicSync(file, JSON.stringify(info), { mode: PRIVATE_FILE_MODE });
        },
        release() {
          if (released) return;
          released = true;
          heldHere.delete(file);
          try {
            const current = readLock(dataDir);
            if (current?.pid === process.pid && current.process_start === info.process_start) unlinkSync(file);
          } catch {
            // Replaced by a link or removed meanwhile: not ours to remove any more.
          }
        },
      };
    } catch (error) {
      unlinkSync(staged);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(dataDir);
      if (holder && holderLives(holder, file)) throw new LockedError(holder, file);
      // Stale (dead owner, a reused pid, our own pid from a previous life, or unreadable): take it over.
      try {
        unlinkSync(file);
      } catch {
        /* another starter removed it first */
      }
    }
  }
  throw new Error(`could not acquire ${file}`);
}
