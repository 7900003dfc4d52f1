import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { Intake } from '../../main/intake/intake.js';
import { childReaper } from '../support/child.js';
import { startIntake } from './support/intake-fixture.js';

// examples/otel-node-app, run as it is (no Candor code in it), shows up as a source.

const APP = fileURLToPath(new URL('../../examples/otel-node-app/app.mjs', import.meta.url));
const reaper = childReaper();
let intake: Intake | undefined;
afterEach(async () => {
  await reaper.reap();
  await intake?.close();
  intake = undefined;
});

it.each(['http/protobuf', 'http/json'])(
  'the example app, pointed at the intake with OTEL_EXPORTER_OTLP_ENDPOINT (%s), is a pending source with its data waiting',
  async (protocol) => {
    const started = await startIntake();
    intake = started.intake;
    const child = reaper.track(
      spawn(process.execPath, [APP, '--seconds', '1'], {
        stdio: 'ignore',
        env: {
          PATH: process.env['PATH'],
          HOME: process.env['HOME'],
          OTEL_EXPORTER_OTLP_ENDPOINT: started.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        },
      }),
    );
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(intake.sources()).toMatchObject([{ name: 'otel-node-example', state: 'pending', seen: true, version: '1.0.0' }]);
    expect(intake.rawSources()).toEqual([]);
    const [waiting] = intake.pendingPreview();
    expect(waiting?.sdk).toEqual({ language: 'nodejs', name: 'opentelemetry', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(waiting?.counters['orders.placed']).toBeGreaterThan(0);
    expect(waiting?.timers['orders.checkout.duration']?.count).toBe(waiting?.counters['orders.placed']);
    expect(waiting?.dropped['not_collected_log']).toBeGreaterThan(0);
  },
);
