// Command-line flags the desktop app honours. Electron and Chromium add their own
// switches (and Playwright's loader rewrites argv), so unknown flags are ignored.

export interface DesktopArgs {
  dataDir?: string;
  configPath?: string;
  disableTelemetry: boolean;
}

function valueOf(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === flag) {
      const next = argv[i + 1];
      return next !== undefined && !next.startsWith('--') ? next : undefined;
    }
    if (arg?.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

export function parseDesktopArgs(argv: readonly string[]): DesktopArgs {
  const dataDir = valueOf(argv, '--data-dir');
  const configPath = valueOf(argv, '--config-path');
  return {
    ...(dataDir ? { dataDir } : {}),
    ...(configPath ? { configPath } : {}),
    disableTelemetry: argv.includes('--disable-telemetry'),
  };
}
