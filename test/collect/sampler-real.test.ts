import { describe, expect, it } from 'vitest';
import { createSampler } from '../../main/collect/sampler.js';
import { Payload } from '../../main/report/payload-schema.js';

const Load = Payload.shape.performance.unwrap().shape.load;

describe('sampler with the real systeminformation', () => {
  it('two ticks give plausible CPU and memory percentages and a schema-valid load section', async () => {
    const sampler = createSampler({ intervalMs: 60_000, timeoutMs: 10_000 });
    await sampler.tick(); // the first currentLoad() measures over ~500 ms
    await new Promise((r) => setTimeout(r, 600)); // fsStats needs >= 500 ms between calls for a rate
    await sampler.tick();
    expect(sampler.skipped).toBe(0);
    expect(sampler.size).toBe(2);
    for (const s of sampler.recent()) {
      expect(s.cpu_pct).not.toBeNull();
      expect(s.cpu_pct).toBeGreaterThanOrEqual(0);
      expect(s.cpu_pct).toBeLessThanOrEqual(100);
      expect(s.mem_used_pct).toBeGreaterThan(0);
      expect(s.mem_used_pct).toBeLessThan(100);
    }
    const load = Load.parse(sampler.aggregate());
    if ('unavailable' in load) throw new Error(load.reason);
    expect(load.samples).toBe(2);
    if (process.platform !== 'win32') expect(load.load_avg_1m?.min).toBeGreaterThanOrEqual(0);
    if (process.platform === 'win32') expect(load.load_avg_1m).toBeNull();
  });
});
