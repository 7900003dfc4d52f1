// Each area runs in its own child process (fresh JIT and heap; a cold start stays
// cold). A module run directly prints its result as one JSON line on fd 3 if open,
// else on stdout, so log lines from the code under test cannot corrupt it.

import { fileURLToPath } from 'node:url';
import { writeSync } from 'node:fs';

export async function emitIfMain(moduleUrl, run) {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const result = await run();
  const line = JSON.stringify(result) + '\n';
  try {
    writeSync(3, line);
  } catch {
    process.stdout.write(line);
  }
  process.exit(0);
}
