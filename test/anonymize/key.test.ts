import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../main/agent.js';
import { KEY_BYTES, LEGACY_KEY_FILE, perStartKey, removeLegacyKey } from '../../main/anonymize/key.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// The hashing key is made at each start and never written down: no file, so nothing
// can link two starts (issue 10), and an older install's key file is removed.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'candor-key-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('perStartKey', () => {
  it('is 32 random bytes, different at every call', () => {
    const keys = Array.from({ length: 50 }, () => perStartKey());
    for (const key of keys) expect(key.length).toBe(KEY_BYTES);
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(50);
  });
});

describe('removeLegacyKey', () => {
  it('removes the per-install key an older Candor left, and says so', () => {
    writeFileSync(join(dir, LEGACY_KEY_FILE), Buffer.alloc(32, 7));
    expect(removeLegacyKey(dir)).toBe(true);
    expect(existsSync(join(dir, LEGACY_KEY_FILE))).toBe(false);
    expect(removeLegacyKey(dir)).toBe(false);
  });

  it('removes a symlink in its place without touching what it points at', () => {
    const target = join(dir, 'elsewhere.bin');
    writeFileSync(target, 'not ours');
    symlinkSync(target, join(dir, LEGACY_KEY_FILE));
    expect(removeLegacyKey(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual(['elsewhere.bin']);
  });
});

describe('the agent', () => {
  let box: Sandbox;
  afterEach(() => box?.cleanup());

  it('writes no key file, and deletes an old one at start', async () => {
    box = sandbox();
    const agent = await createAgent({ mode: 'cli', passive: true, dataDir: box.dataDir, cwd: box.cwd, env: {} });
    await agent.close();
    expect(readdirSync(box.dataDir)).not.toContain(LEGACY_KEY_FILE);
    writeFileSync(join(box.dataDir, LEGACY_KEY_FILE), Buffer.alloc(32, 1));
    const again = await createAgent({ mode: 'cli', passive: true, dataDir: box.dataDir, cwd: box.cwd, env: {} });
    await again.close();
    expect(existsSync(join(box.dataDir, LEGACY_KEY_FILE))).toBe(false);
  });
});
