import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce } from './build.js';

// Before any worker starts: build dist/ once (several suites start the built CLI or
// serve the built renderer and must not rebuild it under each other), and point HOME
// and the XDG directories at a temp home, so no test ever reads the developer's real
// config (an endpoint there could send test reports off the machine) or writes their
// data directory. Workers and their child processes inherit this environment.
export default function setup(): () => void {
  buildOnce();
  const home = mkdtempSync(join(tmpdir(), 'candor-test-home-'));
  for (const dir of ['.config', '.local/share', '.cache', '.local/state']) mkdirSync(join(home, dir), { recursive: true });
  const saved = { ...process.env };
  Object.assign(process.env, {
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local/state'),
  });
  // Tests give every agent its own data dir and switches; none may come from the caller's shell.
  for (const key of Object.keys(process.env))
    if (key === 'CANDOR_DATA_DIR' || key === 'DO_NOT_TRACK' || key.startsWith('CANDOR__')) Reflect.deleteProperty(process.env, key);
  // Agents in parallel tests would all want the OTLP intake's default port: each takes a free one.
  process.env['CANDOR__INTAKE__OTLP__PORT'] = '0';
  return () => {
    process.env = saved;
    rmSync(home, { recursive: true, force: true });
  };
}
