import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { MetricsRegistry } from '../../main/collect/metrics.js';
import { setLogSink, type LogSink } from '../../main/util/log.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { CaseCount } from './generators/case-count.js';
import { identity, type Identity } from './generators/identity.js';
import { anySecret, type Planted } from './generators/planted.js';
import { plantedText, survivors, type PlantedText } from './generators/texts.js';

// End to end through real agents: generated errors full of a person's names, paths,
// addresses and tokens go in through agent.api.reportError, generated label values go
// in through the metrics registry, and the anonymized preview at every level 0..4 must
// contain none of them; metric label values at level 3 must be hashes.
//
// The agent takes this machine's names from the OS and the environment (USER, USERNAME,
// HOSTNAME, COMPUTERNAME, USERPROFILE) when it starts; each agent here starts with the
// generated identity in those variables, so it plays that person's machine.

const count = new CaseCount();
const IDENTITIES = 3;
const ERRORS_PER_AGENT = 45; // below ErrorCapture's 50, so none is evicted before the check
const ENV_KEYS = ['USER', 'USERNAME', 'HOSTNAME', 'COMPUTERNAME', 'USERPROFILE'] as const;
let savedEnv: Record<string, string | undefined>;
let previousSink: LogSink;
let box: Sandbox;

beforeAll(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  previousSink = setLogSink(() => undefined);
  box = sandbox();
});
afterAll(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = savedEnv[k];
  }
  setLogSink(previousSink);
  box.cleanup();
  console.log(count.summary('privacy-agent'));
});

async function agentAs(id: Identity, registry: MetricsRegistry, n: number): Promise<Agent> {
  process.env['USER'] = id.user;
  process.env['USERNAME'] = id.user;
  process.env['HOSTNAME'] = id.host;
  process.env['COMPUTERNAME'] = id.host;
  process.env['USERPROFILE'] = id.home;
  return createAgent({ mode: 'headless', dataDir: `${box.dataDir}-${n}`, cwd: box.cwd, env: {}, passive: true, registry });
}

const samples = fc.sample(
  identity.chain((id) =>
    fc.tuple(
      fc.constant(id),
      fc.array(
        fc.tuple(plantedText(id), plantedText(id)).filter(([m, s]) => m.text.length < 1900 && s.text.length < 15_000),
        { minLength: ERRORS_PER_AGENT, maxLength: ERRORS_PER_AGENT },
      ),
      fc.array(anySecret(id), { minLength: 20, maxLength: 20 }),
    ),
  ),
  { numRuns: IDENTITIES, seed: 20_251_125 },
);

describe.each(samples.map((s, i) => [i, s] as const))('agent %i playing a generated person', (n, [id, errors, labels]) => {
  let agent: Agent;
  const planted: Planted[] = [];

  beforeAll(async () => {
    const registry = new MetricsRegistry();
    agent = await agentAs(id, registry, n);
    for (const [message, stack] of errors as [PlantedText, PlantedText][]) {
      await agent.api.reportError({ type: 'Error', message: message.text, stack: stack.text });
      planted.push(...message.planted, ...stack.planted);
      count.add('errors');
      count.add('secrets', message.planted.length + stack.planted.length);
    }
    const counter = registry.counter('app_jobs', 'Jobs by route and owner.');
    const timer = registry.histogram('app_job_ms', 'Job time by route.');
    for (const p of labels) {
      counter.bind({ route: p.text, owner: id.user }).add(1);
      timer.bind({ route: p.text }).record(12);
      planted.push(p);
      count.add('labels');
    }
  });
  afterAll(() => agent.close());

  it('the raw level-4 preview does contain the planted secrets (so the checks below can fail)', async () => {
    const { payload } = await agent.api.preview({ details_level: 4, anonymize: false });
    expect(survivors(JSON.stringify(payload), planted).length).toBeGreaterThan(planted.length / 2);
  });

  it.each([0, 1, 2, 3, 4])('the anonymized level-%i preview contains none of them', async (level) => {
    count.add('previews');
    const { payload } = await agent.api.preview({ details_level: level, anonymize: true });
    const json = JSON.stringify(payload);
    expect(survivors(json, planted)).toEqual([]);
    expect(json.toLowerCase()).not.toContain(id.user.toLowerCase());
  });

  it('every metric label value at level 3 is a keyed hash', async () => {
    const { payload } = await agent.api.preview({ details_level: 3, anonymize: true });
    const detail = payload.performance?.detail ?? [];
    const ours = detail.filter((d) => d.name === 'app_jobs' || d.name === 'app_job_ms');
    // Equal label values share one series.
    expect(ours.length).toBe(2 * new Set(labels.map((p) => p.text)).size);
    for (const d of ours) for (const value of Object.values(d.labels)) expect(value).toMatch(/^h:[0-9a-f]{16}$/);
  });
});
