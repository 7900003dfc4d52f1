// Area 4: anonymizer throughput on a synthetic 10,000-field level-4 payload with
// free-text errors: applySchema with anonymize on, in fields per second. Printed
// beside the same walk with anonymize off (the schema walk alone) and a
// JSON.parse(JSON.stringify()) deep copy of the same payload (a floor for any walk).
// Then errors alone: Candor's safe-parts rebuild (template, code, type, 12 frames) of
// real error messages, beside what a user would pick instead, a regex scrubber over the
// same message and stack (Candor's own second line, the redaction-processor approach).

import { createAgent } from '../dist/main/agent.js';
import { applySchema } from '../dist/main/anonymize/apply.js';
import { ERROR_FIXTURE, FIXTURE_ROOTS } from '../dist/main/anonymize/error-fixture.js';
import { safeError } from '../dist/main/anonymize/error-report.js';
import { perStartKey } from '../dist/main/anonymize/key.js';
import { machineScrubContext, scrubText } from '../dist/main/anonymize/text.js';
import { errorsSection } from '../dist/main/report/raw-payload.js';
import { payloadSchema } from '../dist/main/report/validate.js';
import { APP_ROOT } from '../dist/main/version.js';
import { SYNTHETIC_SCRUB, countLeaves, syntheticPayload } from './anonymizer-payload.mjs';
import { emitIfMain } from './child.mjs';
import { summary } from './stats.mjs';
import { makeTmpHome } from './tmp-home.mjs';

const WARMUP = 5;
const RUNS = 15;

async function basePayload(home) {
  const agent = await createAgent({ mode: 'cli', passive: true, dataDir: home.dataDir, cwd: home.cwd, env: {} });
  try {
    return (await agent.api.preview({ details_level: 4, anonymize: false })).payload;
  } finally {
    await agent.close();
  }
}

export async function run() {
  const home = makeTmpHome();
  try {
    const payload = syntheticPayload(await basePayload(home), errorsSection);
    const fields = countLeaves(payload);
    const machine = machineScrubContext(APP_ROOT);
    const scrub = {
      ...machine,
      homeDirs: [...machine.homeDirs, ...SYNTHETIC_SCRUB.homeDirs],
      userNames: [...machine.userNames, ...SYNTHETIC_SCRUB.userNames],
      hostNames: [...machine.hostNames, ...SYNTHETIC_SCRUB.hostNames],
    };
    const key = perStartKey();
    const schema = payloadSchema();
    const errors = {
      template: { denied: scrub.userNames.concat(scrub.hostNames) },
      roots: { appRoots: [APP_ROOT], denied: scrub.userNames },
    };
    const messages = ERROR_FIXTURE.map((e) => ({ ...e, stack: e.stack ?? '' }));
    const ERROR_BATCH = 200;
    const cases = {
      'anon.candor': () => applySchema(payload, schema, { level: 4, anonymize: true, key, scrub, errors }),
      'anon.walk': () => applySchema(payload, schema, { level: 4, anonymize: false, key, scrub, errors }),
      'anon.json': () => JSON.parse(JSON.stringify(payload)),
      'errors.candor': () => {
        for (let i = 0; i < ERROR_BATCH; i++) safeError(messages[i % messages.length], { roots: FIXTURE_ROOTS });
      },
      'errors.regex': () => {
        for (let i = 0; i < ERROR_BATCH; i++) {
          const e = messages[i % messages.length];
          scrubText(e.message, scrub);
          scrubText(e.stack, scrub);
        }
      },
    };
    const first = cases['anon.candor']();
    const scrubbed = JSON.stringify(first.payload);
    const leaked = ['alice', 'acme.com', '10.20.', 'sk_live_'].filter((s) => scrubbed.includes(s));
    const perSecond = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const [id, fn] of Object.entries(cases)) {
        const t0 = performance.now();
        fn();
        const ms = performance.now() - t0;
        if (i >= WARMUP) perSecond[id].push((id.startsWith('errors.') ? ERROR_BATCH : fields) / (ms / 1000));
      }
    }
    const area = `anonymize a ${fields}-field level-4 payload`;
    const m = {
      'anon.candor': { area, impl: 'Candor applySchema, anonymize on', unit: 'fields/s', ...summary(perSecond['anon.candor']) },
      'anon.walk': { area, impl: 'Candor applySchema, anonymize off (walk only)', unit: 'fields/s', ...summary(perSecond['anon.walk']) },
      'anon.json': { area, impl: 'JSON.parse(JSON.stringify()) copy', unit: 'fields/s', ...summary(perSecond['anon.json']) },
      'errors.candor': {
        area: `rebuild ${messages.length} real error messages and stacks from safe parts`,
        impl: 'Candor safeError (template, code, type, 12 frames)',
        unit: 'errors/s',
        ...summary(perSecond['errors.candor']),
      },
      'errors.regex': {
        area: `rebuild ${messages.length} real error messages and stacks from safe parts`,
        impl: 'regex scrubber over message and stack (Candor scrubText)',
        unit: 'errors/s',
        ...summary(perSecond['errors.regex']),
      },
    };
    const v = (id) => m[id].median;
    const bars = [
      {
        bar: 'anonymizer throughput (no bar set): fields/s vs a plain JSON deep copy',
        candor: v('anon.candor'),
        reference: v('anon.json'),
        ratio: v('anon.json') / v('anon.candor'),
        limit: 'report only',
        met: null,
      },
      {
        bar: 'error rebuild from safe parts vs a regex scrubber (report only)',
        candor: v('errors.candor'),
        reference: v('errors.regex'),
        ratio: v('errors.regex') / v('errors.candor'),
        limit: 'report only',
        met: null,
      },
      {
        bar: 'synthetic identifiers all scrubbed (alice, acme.com, 10.20., sk_live_)',
        candor: leaked.length,
        reference: 0,
        ratio: leaked.length,
        limit: '0 leaks',
        met: leaked.length === 0,
      },
    ];
    return {
      area: 'anonymizer',
      measurements: m,
      bars,
      notes: {
        fields,
        errors: payload.errors.captured.length,
        details: payload.performance.detail.length,
        changes: first.changes.length,
        msPerPayload: (fields / v('anon.candor')) * 1000,
        leaked,
      },
    };
  } finally {
    home.remove();
  }
}

await emitIfMain(import.meta.url, run);
