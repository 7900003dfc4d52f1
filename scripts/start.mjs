// npm start: the desktop app where Electron can start; otherwise one line saying why,
// then the headless agent with its preview page on loopback.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

// Found from electron's own files, not require('electron'): since Electron 45 that
// require tries to download a missing binary, which fails offline with a stack trace.
function electronUnavailable() {
  if (process.env.CANDOR_HEADLESS === '1') return 'CANDOR_HEADLESS=1 is set';
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return 'the Electron binary is not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD or offline)';
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return `the Electron binary is missing (${binary})`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  return { binary };
}

async function headless(reason) {
  process.stderr.write(`candor: desktop shell unavailable: ${reason}; running the headless agent instead.\n`);
  const { main } = await import(join(root, 'dist/main/cli.js'));
  process.exitCode = await main(['start', '--headless', ...args]);
}

const check = electronUnavailable();
if (typeof check === 'string') {
  await headless(check);
} else {
  const child = spawn(check.binary, [root, ...args], { stdio: 'inherit' });
  child.on('error', (error) => void headless(`Electron could not start (${error.message})`));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
