import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { applySchema } from '../../main/anonymize/apply.js';
import { significantDigits } from '../../main/anonymize/numbers.js';
import { RAM_SIZES_GIB } from '../../main/anonymize/sizes.js';
import { MetricsRegistry } from '../../main/collect/metrics.js';
import { payloadJsonSchema, type Payload } from '../../main/report/payload-schema.js';
import { rawPayload } from '../anonymize/raw-payload.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// Numbers carry only the precision they need (issue 10): no non-integer in any payload
// has more than 3 significant digits, no integer of 1,000,000 or more has more than 6,
// and RAM and disk sizes are marketed sizes.

/** Every number in a JSON value, with its pointer. */
function numbers(value: unknown, at = '', out: Array<[string, number]> = []): Array<[string, number]> {
  if (typeof value === 'number') out.push([at, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => numbers(v, `${at}/${i}`, out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) numbers(v, `${at}/${k}`, out);
  return out;
}

function violations(payload: unknown): string[] {
  const found: string[] = [];
  for (const [pointer, n] of numbers(payload)) {
    if (!Number.isInteger(n) && significantDigits(n) > 3) found.push(`${pointer}=${n} (fraction with more than 3 significant digits)`);
    if (Number.isInteger(n) && Math.abs(n) >= 1_000_000 && significantDigits(n) > 6) found.push(`${pointer}=${n} (more than 6 digits)`);
  }
  return found;
}

function isDiskBucket(gb: number): boolean {
  return gb === 0 || (gb >= 8 && Number.isInteger(Math.log2(gb / 8)));
}

function sizes(payload: Payload): { ram: number[]; disks: number[] } {
  const memory = payload.system.memory;
  const disks = payload.system.disks;
  return {
    ram: 'total_gib' in memory && typeof memory.total_gib === 'number' ? [memory.total_gib] : [],
    // A size the schema refuses (negative) is left out, not bucketed.
    disks: disks && 'devices' in disks ? disks.devices.map((d) => d.size_gb).filter((gb) => typeof gb === 'number') : [],
  };
}

describe('precision of every number that leaves', () => {
  let box: Sandbox;
  let agent: Agent;
  beforeAll(async () => {
    box = sandbox();
    const registry = new MetricsRegistry();
    // Timers and counters with values as awkward as real ones.
    const timer = registry.histogram('test_op_ms', 'An operation.');
    for (let i = 1; i <= 500; i++) timer.record(Math.PI * i * 1.000_123);
    registry.counter('test_bytes_total', 'Bytes.').add(123_456_789_123);
    agent = await createAgent({ mode: 'headless', dataDir: box.dataDir, cwd: box.cwd, env: {}, registry });
    await agent.api.reportError({ type: 'Error', message: 'x', stack: '' });
  });
  afterAll(async () => {
    await agent.close();
    box.cleanup();
  });

  it.each([0, 1, 2, 3, 4])('a real report of this machine at level %i', async (level) => {
    const { payload } = await agent.api.preview({ details_level: level, anonymize: true });
    expect(violations(payload)).toEqual([]);
    const { ram, disks } = sizes(payload);
    for (const gib of ram) expect(RAM_SIZES_GIB.includes(gib) || Number.isInteger(Math.log2(gib))).toBe(true);
    for (const gb of disks) expect(isDiskBucket(gb), `${gb} GB`).toBe(true);
  });

  it('the raw report does hold such numbers (so the check above can fail)', async () => {
    const { payload } = await agent.api.preview({ details_level: 4, anonymize: false });
    expect(violations(payload).length).toBeGreaterThan(0);
  });

  it('any number in any numeric field of a full payload comes out within the rules', () => {
    const schema = payloadJsonSchema();
    const pointers = numbers(rawPayload()).map(([pointer]) => pointer);
    const anyNumber = fc.oneof(
      fc.double({ min: -1e15, max: 1e15, noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(anyNumber, { minLength: pointers.length, maxLength: pointers.length }), (values) => {
        const raw = rawPayload() as unknown as Record<string, unknown>;
        pointers.forEach((pointer, i) => setAt(raw, pointer, values[i] as number));
        const { payload } = applySchema(raw, schema, { level: 4, anonymize: true, key: Buffer.alloc(32, 1), scrub: NO_MACHINE });
        expect(violations(payload)).toEqual([]);
        const { ram, disks } = sizes(payload as Payload);
        for (const gb of disks) expect(isDiskBucket(gb), `${gb} GB`).toBe(true);
        for (const gib of ram) expect(gib === 0 || RAM_SIZES_GIB.includes(gib) || Number.isInteger(Math.log2(gib))).toBe(true);
      }),
      { numRuns: 300, seed: 1_000_000_007 },
    );
  });
});

const NO_MACHINE = { homeDirs: [], userNames: [], hostNames: [], appRoot: null };

function setAt(root: Record<string, unknown>, pointer: string, value: number): void {
  const parts = pointer.split('/').slice(1);
  let node: Record<string, unknown> = root;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1] as string] = value;
}
