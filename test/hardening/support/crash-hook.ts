import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

// Preloaded (node --import) into a SIGKILL child to kill it at one exact point instead
// of a random one: right after a given filesystem call on a matching path succeeds.
// CANDOR_CRASH_AFTER=<call>:<path suffix>[:<skip>], e.g. "unlink:.json.gz" or
// "write:history.jsonl:1" (let the first matching call pass). Patching the fs modules and syncing the ESM named exports
// reaches every `import { unlink } from 'node:fs/promises'` in the bundled code.

const [call = '', suffix = '', skip = '0'] = (process.env['CANDOR_CRASH_AFTER'] ?? '').split(':');
let passes = Number(skip);
const die = (): void => {
  if (passes-- > 0) return;
  process.kill(process.pid, 'SIGKILL');
};

if (call === 'unlink') {
  const original = fsp.unlink;
  fsp.unlink = async (path: fs.PathLike): Promise<void> => {
    await original(path);
    if (String(path).endsWith(suffix)) die();
  };
} else if (call === 'rename') {
  const original = fsp.rename;
  fsp.rename = async (from: fs.PathLike, to: fs.PathLike): Promise<void> => {
    await original(from, to);
    if (String(to).endsWith(suffix)) die();
  };
} else if (call === 'write') {
  // Sync writes to a file opened by path: history.jsonl's append.
  const openSync = fs.openSync;
  const writeSync = fs.writeSync;
  const closeSync = fs.closeSync;
  const watched = new Set<number>();
  // Descriptor numbers are reused: forget one when it closes.
  fs.closeSync = (fd: number): void => {
    watched.delete(fd);
    closeSync(fd);
  };
  fs.openSync = ((path: fs.PathLike, ...rest: unknown[]): number => {
    const fd = (openSync as (...args: unknown[]) => number)(path, ...rest);
    if (String(path).endsWith(suffix)) watched.add(fd);
    return fd;
  }) as typeof fs.openSync;
  fs.writeSync = ((fd: number, ...rest: unknown[]): number => {
    const written = (writeSync as (...args: unknown[]) => number)(fd, ...rest);
    if (watched.has(fd)) die();
    return written;
  }) as typeof fs.writeSync;
}
syncBuiltinESMExports();
