import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// A real Chromium for the renderer tests. Not finding one is a failure that says what
// to install: in CI the browser tests must never skip silently.

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env['CANDOR_CHROMIUM'];
  if (chosen !== undefined && chosen !== '') {
    if (!executable(chosen)) throw new Error(`CANDOR_CHROMIUM=${chosen} is not an executable file`);
    return chosen;
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    for (const name of NAMES) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  throw new Error(
    "No Chromium found for the renderer browser tests: install Debian's `chromium` package (sudo apt-get install chromium) " +
      'or set CANDOR_CHROMIUM to a Chromium/Chrome executable.',
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
