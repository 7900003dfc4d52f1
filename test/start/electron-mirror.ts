import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storedZip } from './stored-zip.js';

// A local Electron download mirror on 127.0.0.1, laid out as @electron/get asks for it:
// <mirror>/v<version>/electron-v<version>-<platform>-<arch>.zip and its SHASUMS256.txt.
// The zip holds a stand-in `electron`: a shell script that writes its arguments to a file,
// so a test can see it was launched, and with what.

export interface Mirror {
  /** For ELECTRON_MIRROR (ends in a slash, as @electron/get appends the version directory). */
  url: string;
  host: string;
  /** Request paths in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

export interface MirrorOptions {
  version: string;
  /** Where the stand-in writes its arguments, one per line. */
  argvFile: string;
  /** Publish a wrong checksum for the zip. */
  wrongChecksum?: boolean;
}

export function zipName(version: string): string {
  return `electron-v${version}-${process.platform}-${process.arch}.zip`;
}

/** Where Electron's zip keeps its executable on this platform (install.js writes it to path.txt). */
export function executablePath(): string {
  return process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export function standInZip(version: string, argvFile: string): Buffer {
  return storedZip([
    { name: executablePath(), mode: 0o755, data: `#!/bin/sh\nprintf '%s\\n' "$@" > ${shellQuote(argvFile)}\n` },
    { name: 'version', data: `v${version}` },
  ]);
}

export async function startMirror(options: MirrorOptions): Promise<Mirror> {
  const zip = standInZip(options.version, options.argvFile);
  const name = zipName(options.version);
  const sha = createHash('sha256')
    .update(options.wrongChecksum ? Buffer.from('not the zip') : zip)
    .digest('hex');
  const files = new Map<string, Buffer>([
    [`/v${options.version}/${name}`, zip],
    [`/v${options.version}/SHASUMS256.txt`, Buffer.from(`${sha} *${name}\n`)],
  ]);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://mirror').pathname;
    requests.push(path);
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not on this mirror');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback address where nothing listens: connections are refused, as offline. */
export async function refusingAddress(): Promise<{ url: string; host: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}/`, host: `127.0.0.1:${port}` };
}
