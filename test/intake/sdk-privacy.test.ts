import { hostname, userInfo } from 'node:os';
import { afterEach, expect, it } from 'vitest';
import type { Intake } from '../../main/intake/intake.js';
import type { RawSourceSection } from '../../main/intake/source-registry.js';
import { startIntake, stringsOf } from './support/intake-fixture.js';
import { runApp } from './support/run-app.js';

// Identifying values planted everywhere an app can put them: resource attributes,
// metric names, attribute keys and values, units, log bodies, exception messages and
// stack traces. At the intake's level, the parts of a source's section that are kept
// as they are (names, units, versions, categories, drop reasons) must hold none of
// them. Two parts are RAW by design and checked apart: attribute values outside
// categories (`labels.hashed`: the payload rules hash them with the per-start key) and
// error inputs (the error allow-list builds what leaves from them). The end-to-end
// check on the anonymized payload belongs with the agent's wiring.

let intake: Intake | undefined;
afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

const USER = 'jdoe-private';
const HOST = 'build-box-7.corp.example.com';
const HOME = `/home/${USER}`;
const EMAIL = 'jane.doe@example.org';
const CONTAINER = 'f3a9c2e18b7d4c6a9e0b1d2c3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a';
const REAL_HOST = hostname();
const REAL_USER = (() => {
  try {
    return userInfo().username;
  } catch {
    return 'nobody';
  }
})();
// Shared account names (root, node, ...) identify no one and are allowed in names.
const SECRETS = [USER, HOST, HOME, EMAIL, CONTAINER, 'db-7.internal', '10.20.30.40', ...(REAL_HOST.length >= 4 ? [REAL_HOST] : [])];

/** Every string of a section except the two RAW parts (hashed label values, error inputs). */
function keptAsIs(section: RawSourceSection): string[] {
  const { detail, errors, ...rest } = section;
  const labels = detail.map(({ labels, ...d }) => ({ ...d, categories: labels.categories, hashedKeys: Object.keys(labels.hashed) }));
  return stringsOf({ ...rest, detail: labels, errorCounts: errors.captured.map((e) => e.count) });
}

it('planted host, user, home path, e-mail and ids never reach the parts of a source that are kept as they are', async () => {
  const started = await startIntake({
    operator: { allow: ['privacy-app'], categories: { 'privacy-app': { tenant: ['acme', 'globex'] } } },
    machineIdentifiers: [USER, HOST],
  });
  intake = started.intake;
  const stack = `Error: failed for ${EMAIL}\n    at handler (${HOME}/src/app/server.js:12:5)\n    at ${HOST}:443`;
  const results = await runApp({
    url: started.url,
    protocol: 'json',
    resource: {
      'service.name': 'privacy-app',
      'service.version': '3.1.0',
      'telemetry.sdk.language': 'nodejs',
      'host.name': HOST,
      'host.id': CONTAINER,
      'host.ip': '10.20.30.40',
      'process.owner': USER,
      'process.command_line': `node ${HOME}/src/app/server.js --admin ${EMAIL}`,
      'process.executable.path': `${HOME}/.nvm/versions/node/v20/bin/node`,
      'user.email': EMAIL,
      'container.id': CONTAINER,
      'cloud.account.id': '123456789012',
      'k8s.pod.name': `shop-${USER}-7d9f`,
      'deployment.owner': EMAIL,
    },
    rounds: [
      {
        counters: [
          // Safe name, attributes of every kind.
          {
            name: 'app.requests',
            unit: `{${EMAIL}}`,
            value: 1,
            attributes: { tenant: EMAIL, 'user.email': EMAIL, 'client.address': '10.20.30.40', [EMAIL]: 'x', [`path.${USER}`]: 'y' },
          },
          { name: 'app.requests', value: 2, attributes: { tenant: 'acme' } },
          // Names that carry identifiers.
          { name: `requests.${USER}`, value: 1 },
          { name: `requests.db-7.internal`, value: 1 },
          { name: `cache.${CONTAINER.slice(0, 16)}`, value: 1 },
          { name: `ip-10-20-30-40.requests`, value: 1 },
          // This machine's own host name (when it is long enough to identify anything).
          ...(REAL_HOST.length >= 4 ? [{ name: `${REAL_HOST.replaceAll(/[^A-Za-z0-9_.-]/g, '')}.requests`, value: 1 }] : []),
        ],
        histograms: [{ name: 'app.duration', unit: 'ms', values: [5], attributes: { host: HOST } }],
        logs: [
          { severity: 'INFO', body: `user ${EMAIL} logged in from ${HOST} (${HOME})` },
          { severity: 'ERROR', body: `checkout failed for ${EMAIL}`, exception: { name: 'Error', message: `failed for ${EMAIL}`, stack } },
        ],
      },
    ],
  });
  expect(results.metrics.every((r) => r.code === 0)).toBe(true);

  const [section] = intake.rawSources();
  expect(section).toBeDefined();
  if (section === undefined) return;
  const kept = keptAsIs(section).join('\n').toLowerCase();
  for (const secret of SECRETS) expect(kept, `"${secret}" is kept as is`).not.toContain(secret.toLowerCase());
  if (REAL_USER.length >= 4 && !['root', 'node', 'runner', 'ubuntu'].includes(REAL_USER))
    expect(kept).not.toContain(REAL_USER.toLowerCase());

  // What was kept, and why the rest was not.
  expect(section).toMatchObject({ name: 'privacy-app', version: '3.1.0', sdk: { language: 'nodejs' } });
  expect(Object.keys(section.counters)).toEqual(['app.requests']);
  expect(section.counters['app.requests']).toBe(3);
  const requests = section.detail.filter((d) => d.name === 'app.requests');
  // A declared category: its listed value stays, any other value is `other`.
  expect(requests.map((d) => d.labels.categories['tenant']).sort()).toEqual(['acme', 'other']);
  // Undeclared values stay RAW for the payload's hashing rule; their keys are safe names.
  expect(requests.find((d) => d.labels.categories['tenant'] === 'other')?.labels.hashed).toEqual({
    'user.email': EMAIL,
    'client.address': '10.20.30.40',
  });
  expect(requests[0]?.unit).toBe('');
  // Counted per data point (each export of a cumulative series is one), by reason.
  for (const reason of [
    'metric_name_machine',
    'metric_name_address',
    'metric_name_id',
    'attribute_key_syntax',
    'attribute_key_machine',
    'unit_syntax',
  ])
    expect(section.dropped[reason], reason).toBeGreaterThan(0);
  expect(section.dropped['not_collected_log']).toBe(1);

  // A non-error log's text is not collected at all, raw or not.
  expect(stringsOf(section).join('\n')).not.toContain('logged in from');
  // The error is a RAW input, as the error allow-list expects it; here, and only here, the planted text is still present.
  expect(section.errors.captured).toHaveLength(1);
  expect(section.errors.captured[0]?.message).toBe(`failed for ${EMAIL}`);
  expect(section.errors.captured[0]?.stack).toContain(HOME);
});
