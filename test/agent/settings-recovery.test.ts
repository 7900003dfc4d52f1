import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../main/agent.js';
import { startCollector, type Collector } from '../support/collector.js';
import { fastSendingConfig, sandbox, type Sandbox } from '../support/temp-dirs.js';

// The person's answers are never guessed: when the settings file cannot be used, even
// an operator's pre-given consent does not turn sending back on, in this process or any
// other, until the person answers again.

let box: Sandbox;
let collector: Collector;
afterEach(async () => {
  await collector.close();
  box.cleanup();
});

describe('a corrupt settings file fails closed', () => {
  it('keeps sending off despite operator consent, until the person answers again', async () => {
    box = sandbox();
    collector = await startCollector();
    box.writeConfig('config.yaml', fastSendingConfig(collector.url).replace('telemetry:\n', 'telemetry:\n  consent: granted\n'));
    mkdirSync(box.dataDir, { recursive: true });
    // The person had disabled telemetry; then the file got damaged.
    writeFileSync(join(box.dataDir, 'settings.json'), '{"schema_version":1,"user_disabled":{"value":tr');

    const agent = await createAgent({ mode: 'headless', dataDir: box.dataDir, cwd: box.cwd, env: {} });
    try {
      const status = await agent.api.status({});
      expect(status.sending).toBe(false);
      expect(status.reasons.join('\n')).toMatch(/your settings could not be read \(kept as .*settings\.corrupt-.*\.json\)/);
      expect(readdirSync(box.dataDir).some((f) => f.startsWith('settings.corrupt-'))).toBe(true);

      // A second process (the CLI) sees the same.
      const cli = await createAgent({ mode: 'cli', passive: true, dataDir: box.dataDir, cwd: box.cwd, env: {} });
      expect((await cli.api.status({})).sending).toBe(false);
      await cli.close();

      await agent.sendNow();
      await new Promise((r) => setTimeout(r, 300));
      expect(collector.connections()).toBe(0);

      const answered = await agent.api.setConsent({ granted: true });
      expect(answered.sending).toBe(true);
      await agent.sendNow();
      await collector.waitFor(1);
    } finally {
      await agent.close();
    }
  });
});
