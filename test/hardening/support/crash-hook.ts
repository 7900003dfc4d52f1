import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

// Preloaded (node --import) into a SIGKILL child to kill it at one exact point instead
// of a random one: right after a given filesystem call on a matching path succeeds.
// CANDOR_CRASH_AFTER=<call>:<path suffix>, e.g. "unlink:.json.gz" or
// "write:history.jsonl". Patching the fs modules and syncing the ESM named exports
// reaches every `import { unlink } from 'node:fs/promises'` in the bundled code.

const [call = '', suffix = ''] = (process.env['CANDOR_CRASH_AFTER'] ?? '').split(':');
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: killed');
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
  const watched = new Set<number>();
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
