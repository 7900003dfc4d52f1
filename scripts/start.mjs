// npm start: the desktop app where Electron can start; otherwise one line saying why,
// then the headless agent with its preview page on loopback.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function electronUnavailable() {
  if (process.env.CANDOR_HEADLESS === '1') return 'CANDOR_HEADLESS=1 is set';
  let binary;
  try {
    binary = createRequire(import.meta.url)('electron');
  } catch (error) {
    return `the Electron binary is not installed (${String(error.message).split('\n')[0]})`;
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return 'the Electron binary is not installed';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
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
