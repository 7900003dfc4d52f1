import { afterEach, beforeAll, expect, it } from 'vitest';
import { runApp } from '../intake/support/run-app.js';
import { buildOnce } from '../support/build.js';
import { startCollector, type Collector } from '../support/collector.js';
import {
  agentView,
  DURATIONS_1,
  expectValues,
  leaks,
  names,
  nextSendAt,
  plantedResource,
  plantedRound,
  secrets,
} from '../cli/sources-e2e-support.js';
import { candorAsync, intakeUrl, sourcesJson } from '../cli/sources-support.js';
import { apiToken, newBox, startAgent } from '../cli/support.js';

// Issue 11: every global switch still stops all sending; with sending off, the intake
// keeps feeding the local preview. One switch, `candor pause`, on a real headless agent
// (dist/, its own process) sending to a collector on 127.0.0.1, with a real SDK app.
//
// "Nothing was sent" needs a run of the schedule to have happened while paused. The
// agent says when its next run is due (status.next_send_at, while sending); a run
// reschedules only after its report was delivered. So: note the due time, pause, let
// it pass, resume; a later due time with nothing received means the run came and went
// while paused and sent nothing. Had it come after the resume instead, its report would
// have arrived, and the check is made again on the next run.

let collector: Collector | null = null;
beforeAll(() => buildOnce(), 120_000);
afterEach(async () => {
  await collector?.close();
  collector = null;
});

const APP = 'paused-shop';

it('`candor pause` stops sending; the intake keeps feeding the preview, and what it shows is anonymized', async () => {
  collector = await startCollector();
  const box = newBox();
  box.writeConfig(
    'config.yaml',
    [
      'telemetry:',
      `  endpoint: ${collector.url}`,
      '  consent: granted',
      '  first_delay_s: 15',
      '  interval_s: 60',
      '  details_level: 4',
      'service:',
      '  http_port: 0',
      'intake:',
      '  sources:',
      `    allow: [${APP}]`,
      '',
    ].join('\n'),
  );
  const agent = await startAgent(box, ['--port', '0', '--otlp-port', '0']);
  const view = agentView(agent.port, apiToken(box));
  const url = await intakeUrl(box);
  const all = await secrets();

  let proven = false;
  const pauses: [number, number][] = [];
  for (let attempt = 0; attempt < 3 && !proven; attempt++) {
    const due = await nextSendAt(view);
    const received = collector.received.length;

    const paused = await candorAsync(box, ['pause']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/^sending: off$/m);
    const pausedAt = Date.now();
    const status = await view.status();
    expect(status.sending).toBe(false);
    expect(status.reasons.join('\n')).toMatch(/paused until/);

    if (attempt === 0) {
      // Sending is off: the app's data still arrives, and the preview shows it.
      const results = await runApp({
        url,
        protocol: 'protobuf',
        resource: plantedResource(APP),
        rounds: [plantedRound('shop', [3, 2], DURATIONS_1, '')],
      });
      expect(results.metrics.every((r) => r.code === 0)).toBe(true);
      expect((await sourcesJson(box)).intake.listening).toBe(true);
      const payload = await view.telemetry();
      expect(names(payload.sources)).toEqual([APP]);
      expectValues(payload.sources?.[0], 'shop', 5, DURATIONS_1);
      const preview = await view.preview();
      expect(names(preview.payload.sources)).toEqual([APP]);
      expect(leaks(JSON.stringify([payload, preview.payload]), all)).toEqual([]);
    }

    // The run that was due comes while paused (a wait for a time, not the proof).
    while (Date.now() < due + 3_000) await new Promise((r) => setTimeout(r, 200));
    pauses.push([pausedAt, Date.now()]);
    const resumed = await candorAsync(box, ['resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^sending: on$/m);
    const next = await nextSendAt(view);
    expect(next).toBeGreaterThanOrEqual(due);
    // The run due at `due` is over (the schedule moved on). Nothing arrived: it ran while paused.
    if (next > due && collector.received.length === received) proven = true;
  }
  expect(proven, 'no scheduled run fell inside a pause in three tries').toBe(true);
  // And never anything while a pause held.
  const during = collector.received.filter((r) => pauses.some(([from, to]) => r.arrivedAt >= from && r.arrivedAt <= to));
  expect(during).toEqual([]);
}, 300_000);
