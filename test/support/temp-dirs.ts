import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Sandbox {
  /** Working directory; config files go in its config/ folder. */
  cwd: string;
  dataDir: string;
  writeConfig(name: string, yaml: string): string;
  cleanup(): void;
}

/** A fresh working directory and data directory under the OS temp dir. */
export function sandbox(prefix = 'candor-test-'): Sandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const cwd = join(root, 'work');
  const dataDir = join(root, 'data');
  // An (empty) config/ makes it the config directory: never the platform's, never the user's.
  mkdirSync(join(cwd, 'config'), { recursive: true });
  return {
    cwd,
    dataDir,
    writeConfig(name, yaml) {
      const file = join(cwd, 'config', name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, yaml);
      return file;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A config that sends to `endpoint`, for delivery tests. The scheduler's first report
 * waits an hour unless `firstDelayS` says otherwise, so tests decide when to send.
 */
export function fastSendingConfig(endpoint: string, extra = '', firstDelayS = 3600): string {
  return [
    'telemetry:',
    `  endpoint: ${endpoint}`,
    `  first_delay_s: ${firstDelayS}`,
    '  interval_s: 60',
    '  details_level: 4',
    'sampling:',
    '  interval_s: 1',
    'service:',
    '  http_port: 0',
    extra,
  ].join('\n');
}
