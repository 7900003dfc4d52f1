import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSystem, type SystemSource } from '../../main/collect/system.js';
import { APP_ROOT } from '../../main/version.js';
import { childReaper, killAndWait } from '../support/child.js';
import { fastSendingConfig, sandbox, type Sandbox } from '../support/temp-dirs.js';
import { send } from './generators/raw-http.js';

// Found by the fault suite: withTimeout() guards the *call*, but systeminformation can
// resolve with null or the wrong shape. That used to reject collectSystem() as a whole,
// and the headless agent died of the unhandled rejection. Now only the affected section
// is unavailable (system.ts guarded()), and a failed collection is not cached (agent.ts).

function goodSource(): Record<string, () => Promise<unknown>> {
  return {
    osInfo: async () => ({ distro: 'Debian', release: '12', kernel: '6.1.0' }),
    cpu: async () => ({ manufacturer: 'AMD', brand: 'EPYC', vendor: 'AuthenticAMD', speed: 2.4, cores: 4, physicalCores: 2 }),
    cpuFlags: async () => 'sse sse2',
    mem: async () => ({ total: 1024 }),
    diskLayout: async () => [{ device: '/dev/sda', type: 'SSD', interfaceType: 'SATA', size: 1e9 }],
    blockDevices: async () => [{ name: 'sda', type: 'disk', size: 1e9 }],
    graphics: async () => ({ controllers: [], displays: [] }),
    system: async () => ({ virtual: false }),
  };
}

// Each answer used to make collectSystem() reject.
const crashing: [string, unknown][] = [
  ['osInfo', null],
  ['cpu', null],
  ['mem', null],
  ['graphics', null],
  ['graphics', { controllers: 'NVIDIA', displays: [] }],
  ['system', null],
  ['diskLayout', null],
  ['diskLayout', 'sda'],
  ['diskLayout', [null]],
  ['diskLayout', [{ device: 5 }]],
  ['diskLayout', [{ device: '/dev/sda', interfaceType: 9 }]],
  ['blockDevices', null],
  ['blockDevices', { name: 'sda' }],
  ['blockDevices', [null]],
];

// The sections each systeminformation call feeds; every other section must come out whole.
const SECTIONS_OF: Record<string, string[]> = {
  osInfo: ['os'],
  cpu: ['cpu'],
  mem: ['memory'],
  graphics: ['gpus', 'displays'],
  system: ['virtualization'],
  diskLayout: ['disks'],
  blockDevices: ['disks'],
};
const ALL_SECTIONS = ['os', 'cpu', 'memory', 'disks', 'gpus', 'virtualization', 'displays'];

describe('collectSystem with malformed systeminformation answers', () => {
  it('the good source fills every section (the baseline the cases below change one call of)', async () => {
    const section = await collectSystem({
      source: goodSource() as unknown as SystemSource,
      timeoutMs: 200,
      readRotational: async () => null,
      detectContainer: async () => ({ container: false, hint: null }),
    });
    for (const name of ALL_SECTIONS) {
      const value = (section as Record<string, unknown>)[name];
      expect(value, name).toBeTypeOf('object');
      expect(value, name).not.toHaveProperty('unavailable');
    }
  });

  it.each(crashing)('%s resolving %j: resolves, with only that part unavailable', async (call, answer) => {
    const source = { ...goodSource(), [call]: async () => answer } as unknown as SystemSource;
    const section = await collectSystem({
      source,
      timeoutMs: 200,
      readRotational: async () => null,
      detectContainer: async () => ({ container: false, hint: null }),
    });
    const affected = SECTIONS_OF[call] ?? [];
    expect(affected.length, `no section mapped for ${call}`).toBeGreaterThan(0);
    for (const name of ALL_SECTIONS) {
      const value = (section as Record<string, unknown>)[name] as Record<string, unknown> | undefined;
      expect(value, `${name} is missing`).toBeTypeOf('object');
      if (!affected.includes(name)) {
        expect(value, `${name} must not be touched by a bad ${call} answer`).not.toHaveProperty('unavailable');
      } else if (value && 'unavailable' in value) {
        expect(value['unavailable']).toBe(true);
        expect(String(value['reason']), `${name}'s reason must name ${call}`).toContain(call);
      }
    }
  });
});

describe('the headless agent with a malformed systeminformation answer', () => {
  const reaper = childReaper();
  let box: Sandbox;
  let child: ChildProcess;
  let stderr = '';

  beforeAll(async () => {
    box = sandbox('candor-pending-si-');
    box.writeConfig('config.yaml', fastSendingConfig('http://127.0.0.1:9/ingest'));
    // Preloaded: systeminformation's graphics() answers null, as it might on an odd machine.
    const hook = join(box.cwd, 'graphics-null.mjs');
    writeFileSync(
      hook,
      `import { createRequire } from 'node:module';\nconst si = createRequire(${JSON.stringify(join(APP_ROOT, 'package.json'))})('systeminformation');\nsi.graphics = async () => null;\n`,
    );
    child = reaper.track(
      spawn(
        process.execPath,
        [
          '--import',
          pathToFileURL(hook).href,
          join(APP_ROOT, 'dist/main/cli.js'),
          'start',
          '--headless',
          '--port',
          '0',
          '--data-dir',
          box.dataDir,
        ],
        {
          cwd: box.cwd,
          env: { PATH: process.env['PATH'] ?? '' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      ),
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
  }, 20_000);
  afterAll(async () => {
    await reaper.reap();
    box.cleanup();
  });

  it('keeps running and serves a report whose gpus section is unavailable, naming graphics', async () => {
    const deadline = Date.now() + 20_000;
    let port: number | null = null;
    while (port === null) {
      port = Number(/preview: http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)?.[1] ?? NaN) || null;
      if (port !== null) break;
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the agent exited (${child.exitCode ?? child.signalCode}) before serving:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for the preview URL:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(stderr).toMatch(/telemetry id: /);
    const token = readFileSync(join(box.dataDir, 'api-token'), 'utf8').trim();
    // The report needs collectSystem() to have resolved: the very call that used to kill the agent.
    const reply = await send({ port, token }, '/telemetry?details_level=1');
    expect(reply.status, reply.text.slice(0, 300)).toBe(200);
    const { result } = JSON.parse(reply.text) as { result: { system: Record<string, Record<string, unknown>> } };
    // What is sent says only what kind of failure it was; the message naming the call stays local.
    expect(result.system['gpus']).toEqual({ unavailable: true, reason: 'malformed' });
    expect(result.system['os']).not.toHaveProperty('unavailable');
    const raw = await send({ port, token }, '/telemetry?details_level=1&anonymize=false');
    const local = JSON.parse(raw.text) as { result: { system: Record<string, Record<string, unknown>> } };
    expect(local.result.system['gpus']).toMatchObject({ unavailable: true, reason: expect.stringContaining('graphics') as unknown });
    expect(child.exitCode, stderr).toBeNull();
    expect(child.signalCode, stderr).toBeNull();

    await killAndWait(child);
    expect(child.signalCode).toBe('SIGKILL');
  }, 30_000);
});
