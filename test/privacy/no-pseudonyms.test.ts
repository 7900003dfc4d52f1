import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../main/agent.js';
import { MetricsRegistry } from '../../main/collect/metrics.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// No pseudonyms across starts (issue 10): two starts of one install, with the same
// config and the same metric labels, share no hash value at any level. Within one
// start, equal values still hash equal (that is all a hash is for).

const HASH = /h:[0-9a-f]{16}/g;

async function hashesOfOneStart(box: Sandbox): Promise<{ all: Set<string>; repeated: boolean }> {
  const registry = new MetricsRegistry();
  // Undeclared label values: the only things in Candor's own payload that leave hashed.
  const counter = registry.counter('test_jobs_total', 'Jobs.');
  counter.bind({ queue: 'billing-eu', tenant: 'acme' }).add(3);
  counter.bind({ queue: 'billing-us', tenant: 'acme' }).add(4);
  const agent = await createAgent({ mode: 'headless', dataDir: box.dataDir, cwd: box.cwd, env: { RUN_MODE: 'production' }, registry });
  const all = new Set<string>();
  let repeated = false;
  try {
    for (const level of [0, 1, 2, 3, 4]) {
      const text = JSON.stringify((await agent.api.preview({ details_level: level, anonymize: true })).payload);
      const found = text.match(HASH) ?? [];
      for (const h of found) all.add(h);
      if (level === 3) repeated = new Set(found).size < found.length; // tenant=acme twice: one hash
    }
  } finally {
    await agent.close();
  }
  return { all, repeated };
}

describe('two starts of one install', () => {
  let box: Sandbox;
  afterEach(() => box.cleanup());

  it('share no hash value at any level, while equal values hash equal within a start', async () => {
    box = sandbox();
    box.writeConfig('config.yaml', 'telemetry:\n  endpoint: https://collector.example.org/v1/reports\n  details_level: 4\n');
    box.writeConfig('production.yaml', 'log:\n  level: info\n');
    const first = await hashesOfOneStart(box);
    const second = await hashesOfOneStart(box);
    expect(first.all.size).toBeGreaterThan(0);
    expect(second.all.size).toBe(first.all.size);
    expect([...first.all].filter((h) => second.all.has(h))).toEqual([]);
    expect(first.repeated).toBe(true);
  });

  it('send the values that are the same everywhere as categories a receiver can count', async () => {
    box = sandbox();
    box.writeConfig('config.yaml', 'log:\n  level: warn\n');
    const agent = await createAgent({ mode: 'headless', dataDir: box.dataDir, cwd: box.cwd, env: { RUN_MODE: 'production' } });
    try {
      const { payload } = await agent.api.preview({ details_level: 1, anonymize: true });
      expect(payload.instance?.run_mode).toBe('production');
      expect(payload.instance?.log_level).toBe('warn');
      expect(payload.instance?.config_layers).toEqual(['config.yaml']);
    } finally {
      await agent.close();
    }
  });
});
