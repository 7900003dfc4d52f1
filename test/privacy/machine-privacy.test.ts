import { readFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../main/agent.js';
import { Payload } from '../../main/report/payload-schema.js';
import { machineIdentifiers, type MachineIdentifier } from '../support/machine-identifiers.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// The promise, checked on the machine the tests run on: its host name, user name,
// home path, MAC and IP addresses, serial numbers, disk UUIDs, mount paths and
// interface names never appear in an anonymized payload at any level, in an exported
// anonymized report, or in an error report built from messages that contain them.

let box: Sandbox;
let agent: Agent;
let identifiers: MachineIdentifier[];

function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  return identifiers.filter((id) => !id.generic && lower.includes(id.value.toLowerCase())).map((id) => `${id.label}=${id.value}`);
}

beforeAll(async () => {
  box = sandbox();
  // An endpoint and a config file path that embed this machine's names: both must be hashed.
  box.writeConfig('config.yaml', `telemetry:\n  endpoint: https://${hostname()}.example.com/ingest?user=${userInfo().username}\n`);
  agent = await createAgent({ mode: 'headless', dataDir: join(box.dataDir, userInfo().username, hostname()), cwd: box.cwd, env: {} });
  identifiers = await machineIdentifiers();
  // Errors whose text is full of this machine's identifiers, as a careless app would report them.
  const sample = identifiers
    .filter((i) => !i.generic)
    .map((i) => i.value)
    .join(' ');
  await agent.api.reportError({
    type: 'Error',
    message: `failed for ${userInfo().username} on ${hostname()} in ${homedir()}: ${sample}`,
    stack: `Error: boom\n    at run (${homedir()}/project/index.js:10:5)\n    at ${hostname()}:${sample}`,
  });
}, 60_000);

afterAll(async () => {
  await agent.close();
  box.cleanup();
});

describe('machine identifiers never leave in an anonymized payload', () => {
  it('found identifying values on this machine to check against', () => {
    const strong = identifiers.filter((i) => !i.generic);
    expect(strong.length).toBeGreaterThan(0);
  });

  it.each([0, 1, 2, 3, 4])('level %i payload contains none of them', async (level) => {
    const { payload } = await agent.api.preview({ details_level: level, anonymize: true });
    Payload.parse(payload);
    expect(leaks(JSON.stringify(payload))).toEqual([]);
  });

  it('the raw preview does contain them (so the check above can fail)', async () => {
    const { payload } = await agent.api.preview({ details_level: 4, anonymize: false });
    expect(leaks(JSON.stringify(payload)).length).toBeGreaterThan(0);
  });

  it('an exported anonymized report contains none of them', async () => {
    const file = join(box.cwd, 'export.json');
    agent.setExportTarget(async () => file);
    const result = await agent.api.exportReport({ details_level: 4, anonymize: true });
    agent.setExportTarget(null);
    expect(result.path).toBe(file);
    const text = readFileSync(file, 'utf8');
    Payload.parse(JSON.parse(text));
    expect(leaks(text)).toEqual([]);
  });

  it('the error report keeps its words, with each identifier a typed placeholder and no raw stack', async () => {
    const { payload } = await agent.api.preview({ details_level: 4, anonymize: true });
    const error = payload.errors?.captured.find((e) => e.source === 'renderer');
    expect(error).toBeDefined();
    // A service account (root here) names nobody and is a word of error messages; a person's name is a placeholder.
    expect(error?.message).toMatch(/^failed for (?:root|<[a-z]+>) on <[a-z]+> in <path>/);
    expect(error?.frames[0]).toEqual({ fn: 'run', file: '<external>', line: 10, col: 5 });
    expect(error).not.toHaveProperty('stack');
    expect(leaks(JSON.stringify(error))).toEqual([]);
  });

  it('the endpoint, config file paths and data dir do not leave at all, not even hashed', async () => {
    const { payload } = await agent.api.preview({ details_level: 4, anonymize: true });
    const text = JSON.stringify(payload);
    expect(text).not.toContain('example.com');
    expect(text).not.toContain(box.dataDir);
    expect(payload.instance).not.toHaveProperty('endpoint');
    expect(payload.instance).not.toHaveProperty('data_dir');
    expect(payload.instance).not.toHaveProperty('config_files');
    expect(payload.instance?.config_layers).toEqual(['config.yaml']);
    expect(payload.instance?.endpoint_configured).toBe(true);
  });
});
