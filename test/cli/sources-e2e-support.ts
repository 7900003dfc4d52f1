import { homedir, hostname, userInfo } from 'node:os';
import { expect } from 'vitest';
import type { Payload, SourceSection } from '../../main/report/payload-schema.js';
import type { Collector, ReceivedRequest } from '../support/collector.js';
import { machineIdentifiers } from '../support/machine-identifiers.js';
import type { Round } from '../intake/support/run-app.js';
import { agentSays } from './support.js';

// The end-to-end tests of issue 11 through the whole agent (test/agent/sources-*.test.ts):
// what a real SDK app records, with identifying values planted everywhere an app can put
// them; what the agent's payload must then hold; and the reports a collector receives.

export const USER = 'jdoe-private';
export const HOST = 'build-box-7.corp.example.com';
export const HOME = `/home/${USER}`;
export const EMAIL = 'jane.doe@example.org';

const SHARED = new Set(['root', 'admin', 'user', 'node', 'runner', 'ubuntu', 'localhost']);
const real = (value: string | undefined): string[] =>
  value !== undefined && value.length >= 4 && !SHARED.has(value.toLowerCase()) ? [value] : [];
/** This machine's real host name and user name (when specific enough to identify anything), and the test's home. */
export const REAL_HOST = hostname();
export const REAL_USER = (() => {
  try {
    return userInfo().username;
  } catch {
    return 'nobody';
  }
})();
export const REAL_HOME = homedir();

/** What must never appear in an anonymized payload or in what the collector receives. */
export async function secrets(): Promise<string[]> {
  const machine = (await machineIdentifiers()).filter((i) => !i.generic).map((i) => i.value);
  return [...new Set([USER, HOST, HOME, EMAIL, ...real(REAL_HOST), ...real(REAL_USER), REAL_HOME, ...machine])];
}

export function leaks(text: string, all: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return all.filter((s) => lower.includes(s.toLowerCase()));
}

/** Resource attributes an app may set: only service.*, telemetry.sdk.* and os.type may pass. */
export function plantedResource(service: string): Record<string, string> {
  return {
    'service.name': service,
    'service.version': '2.4.1',
    'os.type': 'linux',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': '2.12.1',
    'host.name': HOST,
    'host.arch': REAL_HOST,
    'process.owner': USER,
    'process.command_line': `node ${HOME}/shop/server.js --admin ${EMAIL} --real-user ${REAL_USER}`,
    'deployment.owner': EMAIL,
    'custom.home': REAL_HOME,
  };
}

export const DURATIONS_1 = [3, 7, 12, 12, 18, 30, 42, 60, 80, 95, 120, 180, 260, 400];
export const DURATIONS_2 = [700, 1200, 3000, 45, 46];

/** One round of an app: two counter series, one histogram series, a plain log and an error log with a stack. */
export function plantedRound(prefix: string, orders: [number, number], durations: number[], sample: string): Round {
  const stack = [
    `Error: checkout failed for ${EMAIL} on ${HOST}`,
    `    at checkout (${HOME}/shop/src/checkout.js:42:7)`,
    `    at ${REAL_HOME}/app/server.js:10:3`,
    `    at ${REAL_HOST}:${REAL_USER}:${sample}`,
  ].join('\n');
  return {
    counters: [
      { name: `${prefix}.orders`, unit: '{order}', value: orders[0], attributes: { route: '/cart', tenant: EMAIL, owner: REAL_USER } },
      { name: `${prefix}.orders`, unit: '{order}', value: orders[1], attributes: { route: '/pay', 'user.home': HOME, machine: REAL_HOST } },
    ],
    histograms: [{ name: `${prefix}.checkout.duration`, unit: 'ms', values: durations, attributes: { host: HOST } }],
    logs: [
      { severity: 'INFO', body: `user ${EMAIL} logged in from ${HOST} (${HOME}) as ${REAL_USER}` },
      {
        severity: 'ERROR',
        body: `checkout failed for ${EMAIL} on ${HOST} in ${HOME}: ${sample}`,
        attributes: { 'enduser.id': USER },
        exception: { name: 'Error', message: `checkout failed for ${EMAIL} on ${HOST}`, stack },
      },
    ],
  };
}

/** The SDK's default explicit bucket bounds (no view in the app): a histogram's values land in these. */
const SDK_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/** Within `rel` of `expected`: anonymized non-integers keep 3 significant digits (truncated). */
function near(actual: number | undefined, expected: number, what: string, rel = 0.01): void {
  expect(actual, what).toBeDefined();
  expect(Math.abs((actual ?? NaN) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.abs(expected) * rel);
}

/** A source's counter and histogram as the app recorded them: counts exact, sums and extremes to 3 digits, percentiles in their SDK bucket. */
export function expectValues(source: SourceSection | undefined, prefix: string, orders: number, durations: readonly number[]): void {
  expect(source, `${prefix}: no source section`).toBeDefined();
  if (source === undefined) return;
  expect(source.counters).toEqual({ [`${prefix}.orders`]: orders });
  const timer = source.timers[`${prefix}.checkout.duration`];
  expect(timer, `${prefix}.checkout.duration`).toBeDefined();
  if (timer === undefined) return;
  const sorted = [...durations].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  expect(timer.count).toBe(sorted.length);
  expect(timer.unit).toBe('ms');
  near(timer.min, min, 'min');
  near(timer.max, max, 'max');
  near(timer.avg * timer.count, sum, 'sum (avg x count)');
  for (const [p, q] of [
    ['p50', 0.5],
    ['p95', 0.95],
    ['p99', 0.99],
  ] as const) {
    const exact = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
    const upper = SDK_BOUNDS.findIndex((b) => exact <= b);
    // The SDK bucket holding the exact percentile, narrowed by the min and max the app sent.
    const lo = Math.max(upper <= 0 ? min : (SDK_BOUNDS[upper - 1] as number), min);
    const hi = Math.min(upper < 0 ? max : (SDK_BOUNDS[upper] as number), max);
    expect(timer[p], `${p} ${timer[p]} not in the SDK bucket (${lo}, ${hi}] of the exact ${exact}`).toBeGreaterThanOrEqual(lo * 0.99);
    expect(timer[p]).toBeLessThanOrEqual(hi * 1.01);
  }
  expect(timer.histogram?.layout).toBe('candor-log-linear-1');
  expect((timer.histogram?.count ?? []).reduce((a, b) => a + b, 0)).toBe(sorted.length);
  // Attribute values leave as per-start hashes, never as they are.
  const series = (source.detail ?? []).filter((d) => d.name === `${prefix}.orders`);
  expect(series).toHaveLength(2);
  for (const d of series) for (const value of Object.values(d.hashed_labels)) expect(value).toMatch(/^h:[0-9a-f]{16}$/);
}

export interface AgentView {
  telemetry(): Promise<Payload>;
  preview(anonymize?: boolean): Promise<{ payload: Payload; pending: { sources: SourceSection[] } }>;
  status(): Promise<{ sending: boolean; next_send_at: string | null; reasons: string[] }>;
}

export function agentView(port: number, token: string): AgentView {
  return {
    telemetry: async () => (await agentSays(port, token, '/telemetry?details_level=4&anonymize=true')) as unknown as Payload,
    preview: async (anonymize = true) =>
      (await agentSays(port, token, `/preview?details_level=4&anonymize=${anonymize}`)) as unknown as {
        payload: Payload;
        pending: { sources: SourceSection[] };
      },
    status: async () =>
      (await agentSays(port, token, '/status')) as unknown as { sending: boolean; next_send_at: string | null; reasons: string[] },
  };
}

export const names = (sources: readonly SourceSection[] | undefined): string[] => (sources ?? []).map((s) => s.name);

async function until<T>(probe: () => Promise<T | null>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The agent's next scheduled report, as it says (a report being built right now has none: the following one is taken). */
export async function nextSendAt(agent: AgentView): Promise<number> {
  return until(
    async () => {
      const at = (await agent.status()).next_send_at;
      return at === null ? null : Date.parse(at);
    },
    'the agent to schedule its next report',
    120_000,
  );
}

/**
 * The first report the collector receives from the agent's next scheduled run: built
 * after everything done before this call, so it reflects it.
 */
export async function nextReport(agent: AgentView, collector: Collector): Promise<{ request: ReceivedRequest; payload: Payload }> {
  const due = await nextSendAt(agent);
  const request = await until(
    async () => collector.received.find((r) => r.arrivedAt >= due) ?? null,
    `a report at the agent's next run (due ${new Date(due).toISOString()})`,
    150_000,
  );
  return { request, payload: JSON.parse(request.body) as Payload };
}
