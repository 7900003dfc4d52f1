import { describe, expect, it } from 'vitest';
import { parseDesktopArgs } from '../../main/desktop/desktop-args.js';

describe('desktop command line', () => {
  it('reads our flags among Electron and Chromium switches', () => {
    expect(
      parseDesktopArgs(['/usr/bin/electron', 'dist/main/desktop/main.js', '--no-sandbox', '--data-dir=/tmp/c', '--disable-telemetry']),
    ).toEqual({
      dataDir: '/tmp/c',
      disableTelemetry: true,
    });
    expect(parseDesktopArgs(['candor', '--config-path', '/etc/candor.yaml', '--data-dir', '/d'])).toEqual({
      dataDir: '/d',
      configPath: '/etc/candor.yaml',
      disableTelemetry: false,
    });
  });

  it('ignores a flag without a value instead of swallowing the next flag', () => {
    expect(parseDesktopArgs(['candor', '--data-dir', '--disable-telemetry'])).toEqual({ disableTelemetry: true });
  });
});
