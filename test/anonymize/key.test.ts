import { fork } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY_FILE, loadOrCreateKey } from '../../main/anonymize/key.js';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';

const posix = process.platform !== 'win32';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-key-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadOrCreateKey', () => {
  it('creates 32 random bytes in anonymize.key, leaving no temp file', () => {
    const key = loadOrCreateKey(dir);
    expect(key.length).toBe(32);
    expect(readFileSync(join(dir, KEY_FILE)).equals(key)).toBe(true);
    expect(readdirSync(dir)).toEqual([KEY_FILE]);
    expect(key.equals(Buffer.alloc(32))).toBe(false);
  });

  it.runIf(posix)('makes the key file 0600 and a new data dir 0700', () => {
    const nested = join(dir, 'a', 'data');
    loadOrCreateKey(nested);
    expect(statSync(join(nested, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(nested).mode & 0o777).toBe(0o700);
  });

  it('reuses the key: the same names keep hashing the same', () => {
    const first = loadOrCreateKey(dir);
    expect(loadOrCreateKey(dir).equals(first)).toBe(true);
  });

  it('gives different installs different keys', () => {
    const other = mkdtempSync(join(tmpdir(), 'candor-key-'));
    try {
      expect(loadOrCreateKey(dir).equals(loadOrCreateKey(other))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it.each([
    ['empty', Buffer.alloc(0), /is 0 bytes, expected 32/],
    ['short', Buffer.alloc(16, 1), /is 16 bytes, expected 32/],
    ['long', Buffer.alloc(33, 1), /is 33 bytes, expected 32/],
    ['text', Buffer.from('not a key\n'), /is 10 bytes, expected 32/],
  ])('refuses a %s key file, naming it, and leaves it in place', (_label, content, message) => {
    const file = join(dir, KEY_FILE);
    writeFileSync(file, content);
    expect(() => loadOrCreateKey(dir)).toThrow(message);
    expect(() => loadOrCreateKey(dir)).toThrow(file);
    expect(readFileSync(file).equals(content)).toBe(true);
  });

  it('refuses a key path that is a directory, naming it', () => {
    const file = join(dir, KEY_FILE);
    mkdirSync(file);
    expect(() => loadOrCreateKey(dir)).toThrow(`anonymizer key ${file} cannot be read`);
  });

  it.runIf(posix && process.getuid?.() !== 0)(
    'refuses an unreadable key file, naming it (needs a non-root POSIX user: root reads any file)',
    () => {
      const file = join(dir, KEY_FILE);
      writeFileSync(file, Buffer.alloc(32, 1));
      chmodSync(file, 0o000);
      expect(() => loadOrCreateKey(dir)).toThrow(/cannot be read/);
      expect(existsSync(file)).toBe(true);
    },
  );

  it('ends with one key when several processes race to create it', async () => {
    // The racing children run the built module (dist/ is built once before the tests).
    buildOnce();
    const built = pathToFileURL(join(APP_ROOT, 'dist/main/anonymize/key.js')).href;
    const script = join(dir, 'race.mjs');
    writeFileSync(
      script,
      `import { loadOrCreateKey } from '${built}';
process.send(loadOrCreateKey(process.argv[2]).toString('hex'));`,
    );
    const target = join(dir, 'shared');
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = fork(script, [target]);
          child.once('message', (m) => resolve(String(m)));
          child.once('error', reject);
          child.once('exit', (code) => {
            if (code !== 0) reject(new Error(`child exited ${code}`));
          });
        }),
    );
    const keys = await Promise.all(runs);
    expect(new Set(keys).size).toBe(1);
    expect(readFileSync(join(target, KEY_FILE)).toString('hex')).toBe(keys[0]);
    expect(readdirSync(target)).toEqual([KEY_FILE]);
  });
});
