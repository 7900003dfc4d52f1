import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// A tiny filesystem for disk-full and read-only tests: a 256 KiB tmpfs when this
// process may mount (root with CAP_SYS_ADMIN), which fills for real (ENOSPC) and can be
// remounted read-only (EROFS). Without it the tests say so and are skipped: chmod does
// not stop root, so a "directory without write permission" would prove nothing here.

export interface SmallDisk {
  readonly dir: string;
  /** Writes a filler file until the filesystem refuses (ENOSPC). */
  fill(): void;
  /** Removes the filler: space is back. */
  free(): void;
  readOnly(): void;
  readWrite(): void;
  release(): void;
}

function run(args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
}

/** Why a tmpfs cannot be mounted here, or null when it can (tried once, for real). */
export function smallDiskUnavailable(probeDir: string): string | null {
  const dir = join(probeDir, 'mount-probe');
  mkdirSync(dir, { recursive: true });
  try {
    run(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs refused (${(error as Error).message.split('\n')[0] ?? 'no message'}); needs root with CAP_SYS_ADMIN`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function mountSmallDisk(dir: string, sizeKiB = 256): SmallDisk {
  mkdirSync(dir, { recursive: true });
  run(['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, 'filler.bin');
  let mounted = true;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const block = Buffer.alloc(4096, 0x5a);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      // Smaller pieces too, so not even a short file fits.
      const fd2 = openSync(join(dir, 'filler-tail.bin'), 'a');
      try {
        for (;;) writeSync(fd2, Buffer.alloc(64, 0x5a));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd2);
      }
    },
    free() {
      for (const name of ['filler.bin', 'filler-tail.bin']) {
        try {
          unlinkSync(join(dir, name));
        } catch {
          // Not there: nothing to free.
        }
      }
    },
    readOnly() {
      run(['-o', 'remount,ro', dir]);
    },
    readWrite() {
      run(['-o', 'remount,rw', dir]);
    },
    release() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    },
  };
}
