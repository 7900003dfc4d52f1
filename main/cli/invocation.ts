import { existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { resolveDataDir } from '../control/paths.js';
import { APP_ROOT } from '../version.js';

// Commands Candor suggests (in its log, its errors, its help) must work when the person
// types them. After `npm ci` in a checkout, `candor` is not on PATH but `npx candor` is;
// elsewhere `npx candor` could fetch an unrelated package, so then the full path is given.

const CLI_FILE = join(APP_ROOT, 'dist', 'main', 'cli.js');

function real(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `candor` on PATH is this Candor (a global install, or a link to this checkout). */
function onPath(env: NodeJS.ProcessEnv, cli: string | null): boolean {
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(delimiter).filter((d) => d !== '');
  const names = process.platform === 'win32' ? ['candor.cmd', 'candor.exe', 'candor.ps1'] : ['candor'];
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (!isFile(candidate)) continue;
      // npm's Windows shims are scripts, not links: finding one is the best evidence there is.
      if (process.platform === 'win32') return true;
      return cli !== null && real(candidate) === cli;
    }
  }
  return false;
}

/** `npx candor` run in `cwd` resolves to this Candor: npm's project there is this package, or has it installed. */
function viaNpx(cwd: string, cli: string | null): boolean {
  let dir = resolve(cwd);
  for (;;) {
    // npm's local prefix: the nearest folder with a package.json.
    if (existsSync(join(dir, 'package.json'))) {
      if (real(dir) === real(APP_ROOT)) return true;
      const bin = join(dir, 'node_modules', '.bin', process.platform === 'win32' ? 'candor.cmd' : 'candor');
      return isFile(bin) && (process.platform === 'win32' || (cli !== null && real(bin) === cli));
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

/** A word as a POSIX shell (or cmd.exe) reads it back unchanged. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_/.:=@%+,-]+$/.test(word)) return word;
  if (process.platform === 'win32') return `"${word.replace(/"/g, '""')}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface InvocationContext {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The data directory the suggested command must reach; named only when a plain command would pick another. */
  dataDir?: string;
}

/** The program part of a command line: `candor`, `npx candor` or `node /path/to/cli.js`. */
export function candorProgram(context: InvocationContext = {}): string {
  const env = context.env ?? process.env;
  const cli = real(CLI_FILE);
  if (onPath(env, cli)) return 'candor';
  if (viaNpx(context.cwd ?? process.cwd(), cli)) return 'npx candor';
  return `${shellQuote(process.execPath)} ${shellQuote(CLI_FILE)}`;
}

/** A full command line the person can type: `npx candor --data-dir /x api-token`. */
export function candorCommand(args: string, context: InvocationContext = {}): string {
  const env = context.env ?? process.env;
  const parts = [candorProgram(context)];
  if (context.dataDir !== undefined && resolve(context.dataDir) !== resolveDataDir({ env }))
    parts.push('--data-dir', shellQuote(context.dataDir));
  if (args !== '') parts.push(args);
  return parts.join(' ');
}
