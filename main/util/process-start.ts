import { readFileSync } from 'node:fs';

// A pid names a process only while it lives: numbers are reused, and in a container
// the agent is pid 1 at every start. What tells one lifetime from the next is when the
// process started. Linux gives it in /proc/<pid>/stat (field 22, clock ticks since
// boot); with the boot id in front, a start after a reboot never matches one before.
// Other platforms have no file to read without spawning `ps`; there this returns null
// and the lock falls back to "the pid is alive" (docs/data-dir.md).

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
/** starttime is field 22; counting from the state field (3), that is index 19. */
const START_TIME_INDEX = 22 - 3;

function bootId(): string | null {
  try {
    return readFileSync(BOOT_ID_FILE, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** "<boot id>:<start ticks>" for a live Linux process, or null when it cannot be read here. */
export function processStartId(pid: number): string | null {
  if (process.platform !== 'linux' || !Number.isInteger(pid) || pid <= 0) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  const ticks = fields[START_TIME_INDEX];
  const boot = bootId();
  if (ticks === undefined || !/^\d+$/.test(ticks) || boot === null) return null;
  return `${boot}:${ticks}`;
}
