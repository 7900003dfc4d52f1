import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../support/build.js';
import type { Sandbox } from '../support/temp-dirs.js';
import { candor, newBox, startAgent } from './support.js';

// Candor run in a Node project whose config/ belongs to node-config: it runs, leaves
// that tool's files alone, and still honours every telemetry_disabled: true it can see.

beforeAll(() => buildOnce(), 120_000);

const NODE_CONFIG_PRODUCTION = 'db:\n  host: db.internal\n  port: 5432\n  user: app\n';

function nodeProject(): Sandbox {
  const box = newBox();
  writeFileSync(join(box.cwd, 'package.json'), '{"name":"shop","version":"1.0.0","dependencies":{"config":"^3.3.0"}}\n');
  box.writeConfig('default.yaml', 'db:\n  host: localhost\n  port: 5432\n');
  box.writeConfig('production.yaml', NODE_CONFIG_PRODUCTION);
  return box;
}

const reasons = (box: Sandbox, env: NodeJS.ProcessEnv = {}): string[] => {
  const result = candor(box, ['status', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { reasons: string[] }).reasons;
};

describe("a Node project with node-config's config/production.yaml", () => {
  it('runs: status and report work, and the agent starts and says which file it left alone', async () => {
    const box = nodeProject();
    const status = candor(box, ['status']);
    expect(status.stderr).not.toMatch(/unknown key/);
    expect(status.code).toBe(0);
    expect(candor(box, ['report', '--details-level', '1']).code).toBe(0);
    const agent = await startAgent(box);
    expect(agent.output()).toContain(
      'config/production.yaml also holds keys of another tool (db): Candor reads only its telemetry_disabled',
    );
  }, 60_000);

  it("Candor's config/config.yaml with telemetry_disabled: true still switches it off", () => {
    const box = nodeProject();
    box.writeConfig('config.yaml', 'telemetry_disabled: true\n');
    expect(reasons(box)).toContain('telemetry_disabled: true in config/config.yaml');
  });

  it('telemetry_disabled: true written into the shared production.yaml switches it off too', () => {
    const box = nodeProject();
    box.writeConfig('production.yaml', `${NODE_CONFIG_PRODUCTION}telemetry_disabled: true\n`);
    expect(reasons(box)).toContain('telemetry_disabled: true in config/production.yaml');
  });

  it("a misspelt off switch there is an error naming it, never skipped as the other tool's key", () => {
    const box = nodeProject();
    box.writeConfig('production.yaml', `${NODE_CONFIG_PRODUCTION}telemetry_disable: true\n`);
    const result = candor(box, ['status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/config\/production\.yaml:5: telemetry_disable: unknown key \(did you mean telemetry_disabled\?\)/);
  });

  it.skipIf(process.platform !== 'linux')(
    "the person's own off switch in the platform config folder holds here too, though ./config is the project's",
    () => {
      const box = nodeProject();
      const xdg = join(box.cwd, '..', 'xdg-config');
      mkdirSync(join(xdg, 'candor'), { recursive: true });
      writeFileSync(join(xdg, 'candor', 'config.yaml'), 'telemetry_disabled: true\n');
      expect(reasons(box, { XDG_CONFIG_HOME: xdg })).toContain(`telemetry_disabled: true in ${join(xdg, 'candor', 'config.yaml')}`);
    },
  );
});
