// A throwaway working directory for an agent under test: its own config/ (so the
// user's platform config is never read) and its own data dir.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTmpHome(prefix = 'candor-bench-') {
  const cwd = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(cwd, 'config'));
  // Sampling every 10 s and no endpoint: nothing is ever sent.
  writeFileSync(join(cwd, 'config', 'config.yaml'), 'sampling:\n  interval_s: 10\ntelemetry:\n  endpoint: null\n');
  const dataDir = join(cwd, 'data');
  return { cwd, dataDir, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}
