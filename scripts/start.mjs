// npm start: the desktop app where Electron can start; otherwise one line saying why,
// then the headless agent with its preview page on loopback.
//
// Electron 45 has no install script: its binary is fetched on first use. `npm ci` alone
// never downloads it, so this script does, through Electron's own installer
// (node_modules/electron/install.js → @electron/get), which honours ELECTRON_MIRROR,
// electron_use_remote_checksums, electron_config_cache and the other @electron/get settings.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const say = (line) => process.stderr.write(`candor: ${line}\n`);

/** The electron package directory as Node resolves it from the app, or null when it is not installed. */
function electronPackageDir() {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

const read = (file) => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};

/** The binary install.js would consider installed (same version, path.txt, file present), or null. */
function installedBinary(dir, version) {
  const relative = read(join(dir, 'path.txt'));
  if (relative === null || read(join(dir, 'dist', 'version'))?.replace(/^v/, '') !== version) return null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist');
  const binary = join(distDir, relative);
  return existsSync(binary) ? binary : null;
}

const hasDisplay = () =>
  !['linux', 'freebsd', 'openbsd'].includes(process.platform) || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

/** Where @electron/get will download from, for the progress note (host only: a mirror URL may carry credentials). */
function downloadSource() {
  const env = process.env;
  const mirror = env.npm_config_electron_mirror || env.NPM_CONFIG_ELECTRON_MIRROR || env.ELECTRON_MIRROR;
  if (!mirror) return 'github.com';
  try {
    return new URL(mirror).host || mirror;
  } catch {
    return mirror;
  }
}

/** The first line of what the installer printed that is not a stack frame. */
function firstLine(text) {
  const line = text.split('\n').find((l) => l.trim() !== '' && !/^\s+at /.test(l)) ?? '';
  return line.trim().slice(0, 200);
}

/** Runs Electron's installer; resolves to null on success, else why it failed (one line). */
function runInstaller(dir) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [join(dir, 'install.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(null);
      else resolve(firstLine(output) || (signal ? `stopped by ${signal}` : `exit code ${code}`));
    });
  });
}

/** The Electron binary to run, downloading it first when needed; or a string saying why there is none. */
async function electronBinary() {
  if (process.env.CANDOR_HEADLESS === '1') return 'CANDOR_HEADLESS=1 is set';
  // Checked before any download: a 100 MB binary is no use without a screen.
  if (!hasDisplay()) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  const dir = electronPackageDir();
  if (dir === null) return 'Electron is not installed (it is a dev dependency: run `npm ci` without --omit=dev)';
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const installed = installedBinary(dir, version);
  if (installed !== null) return { binary: installed };
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD)
    return `the Electron binary is not downloaded and ELECTRON_SKIP_BINARY_DOWNLOAD=${process.env.ELECTRON_SKIP_BINARY_DOWNLOAD} is set`;

  say(`downloading the Electron ${version} binary from ${downloadSource()} (once, about 100 MB)…`);
  const started = Date.now();
  const failure = await runInstaller(dir);
  if (failure !== null) return `could not download the Electron ${version} binary from ${downloadSource()} (${failure})`;
  const binary = installedBinary(dir, version);
  if (binary === null) return `Electron's installer finished but left no binary in ${join(dir, 'dist')}`;
  say(`Electron ${version} is installed (${((Date.now() - started) / 1000).toFixed(1)} s); starting the desktop app.`);
  return { binary };
}

async function headless(reason) {
  say(`desktop app unavailable: ${reason}; running the headless agent instead.`);
  const { main } = await import(join(root, 'dist/main/cli.js'));
  process.exitCode = await main(['start', '--headless', ...args]);
}

const found = await electronBinary();
if (typeof found === 'string') {
  await headless(found);
} else {
  const child = spawn(found.binary, [root, ...args], { stdio: 'inherit' });
  // A terminal's Ctrl-C reaches the whole group; a plain `kill` of npm start reaches only us.
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (error) => {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    void headless(`Electron could not start (${error.message})`);
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  });
}
