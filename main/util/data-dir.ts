import { chmodSync, closeSync, constants, fchmodSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { log } from './log.js';
import { createPrivateDirsSync, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-mode.js';
import { openNoFollowSync, SymlinkRefusedError } from './safe-open.js';

// The data directory holds the consent answer, the sent history and its bodies, the
// ids a deletion request must name, queued reports and the local API token. Whoever
// can write in it can change what Candor sends or read what it sent, so, like ssh's
// StrictModes, Candor checks it before use (docs/data-dir.md):
//
//  - The folder (the link's target, when the path is a link) must belong to the user
//    running Candor and must not be writable by group or others: refused otherwise,
//    because tightening it now would not undo what someone else may already have put
//    in it. A path that is a link is fine when the link is the user's or root's (a
//    data folder moved to another disk is common); a link someone else owns could be
//    re-pointed by them, and is refused.
//  - Readable by others only (0755, an older Candor's folders): made 0700, because
//    nobody else could have written in it.
//  - Inside it, every entry must be the user's own regular file or folder: a symbolic
//    link, a FIFO or another user's file is refused, naming the path. Loose modes are
//    tightened (files 0600, folders 0700): with the folder closed, nobody else can
//    have reached them.
//
// electron/ (the desktop's Chromium profile, when --data-dir puts it here) is Chromium's
// to manage: it holds links of its own (SingletonLock), so it is checked as a folder only.
// Folders above the data directory are not checked: ssh does not either, and Candor
// cannot fix a home directory's modes.

export class DataDirError extends Error {
  override name = 'DataDirError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const UNMANAGED_TOP = new Set(['electron']);
const MAX_DEPTH = 8;
const DIRECTORY = constants.O_DIRECTORY ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** Who a fix should name: the user's name when the system knows one, else the uid. */
function currentUser(uid: number): string {
  try {
    const name = userInfo().username;
    if (name !== '') return name;
  } catch {
    // No passwd entry (a container running as an arbitrary uid).
  }
  return String(uid);
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function writableBy(mode: number): string | null {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  if (group && others) return 'its group and by others';
  if (group) return 'its group';
  if (others) return 'others';
  return null;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'a device';
  return 'not a regular file';
}

/** chmod through a descriptor opened without following links: a link swapped in meanwhile is refused, not changed. */
function tighten(path: string, folder: boolean): void {
  const fd = openNoFollowSync(path, constants.O_RDONLY | NONBLOCK | (folder ? DIRECTORY : 0));
  try {
    fchmodSync(fd, folder ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

interface Walk {
  root: string;
  uid: number | undefined;
  who: string;
  tightened: number;
}

function checkEntry(walk: Walk, path: string, depth: number, managed: boolean): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (error) {
    if (isMissing(error)) return; // renamed by a writer meanwhile (an atomic write's temp file)
    throw error;
  }
  if (st.isSymbolicLink()) {
    throw new DataDirError(
      path,
      `${new SymlinkRefusedError(path).message}. Remove the link (rm ${path}) or put the real file or folder in its place`,
    );
  }
  if (walk.uid !== undefined && st.uid !== walk.uid) {
    throw new DataDirError(
      path,
      `${path} in the data directory belongs to uid ${st.uid}, not to the user running Candor (${walk.who}); another user put it there or can change it. Check it, then: chown -R ${walk.who} ${walk.root}`,
    );
  }
  const folder = st.isDirectory();
  if (!folder && !st.isFile()) {
    throw new DataDirError(
      path,
      `${path} in the data directory is ${kindOf(st)}; Candor keeps only files and folders there. Remove it: rm ${path}`,
    );
  }
  if (walk.uid !== undefined && (st.mode & 0o077) !== 0) {
    try {
      tighten(path, folder);
      walk.tightened += 1;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  if (!folder || !managed || depth >= MAX_DEPTH) return;
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const name of names) checkEntry(walk, join(path, name), depth + 1, true);
}

/**
 * Checks (and creates, when missing) the data directory before anything in it is read
 * or written; throws DataDirError naming the path and the fix when another user owns
 * or can write to it or to anything in it, or when something in it is a link.
 */
export function ensureSafeDataDir(dataDir: string): void {
  const dir = resolve(dataDir);
  let link = lstatSync(dir, { throwIfNoEntry: false });
  if (link === undefined) {
    createPrivateDirsSync(dir);
    link = lstatSync(dir);
  }
  // process.getuid is missing on Windows, where the user profile's ACLs do this job.
  const uid = process.getuid?.();
  const who = uid === undefined ? '' : currentUser(uid);
  if (link.isSymbolicLink() && uid !== undefined && link.uid !== uid && link.uid !== 0) {
    throw new DataDirError(
      dir,
      `data directory ${dir} is a symbolic link owned by uid ${link.uid}, not by the user running Candor (${who}) or root; its owner could point it elsewhere. Replace it with a folder or a link of your own, or choose another data directory (--data-dir or CANDOR_DATA_DIR)`,
    );
  }
  const st = statSync(dir);
  if (!st.isDirectory()) {
    throw new DataDirError(
      dir,
      `data directory ${dir} is not a folder; move it away or choose another data directory (--data-dir or CANDOR_DATA_DIR)`,
    );
  }
  const walk: Walk = { root: dir, uid, who, tightened: 0 };
  if (uid !== undefined) {
    if (st.uid !== uid) {
      throw new DataDirError(
        dir,
        `data directory ${dir} belongs to uid ${st.uid}, not to the user running Candor (${who}); another user could read what Candor keeps there or put files in it that Candor would trust. Check its contents, then make it yours (chown -R ${who} ${dir}) or choose another data directory (--data-dir or CANDOR_DATA_DIR)`,
      );
    }
    const writers = writableBy(st.mode);
    if (writers !== null) {
      throw new DataDirError(
        dir,
        `data directory ${dir} is writable by ${writers} (mode ${octal(st.mode)}); another user may have put files in it that Candor would trust. Check its contents, then: chmod 700 ${dir}`,
      );
    }
    if ((st.mode & 0o077) !== 0) {
      // chmod(2) on the resolved path: the link's target is the folder being judged.
      chmodSync(dir, PRIVATE_DIR_MODE);
      walk.tightened += 1;
    }
  }
  for (const name of readdirSync(dir)) checkEntry(walk, join(dir, name), 1, !UNMANAGED_TOP.has(name));
  if (walk.tightened > 0) {
    log.info(`data directory ${dir}: ${walk.tightened} file(s) and folder(s) made private to ${who} (files 0600, folders 0700)`);
  }
}
