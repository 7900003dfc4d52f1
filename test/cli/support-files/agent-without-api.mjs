// An agent that holds the data directory's lock but serves no local API, as the desktop
// app does: the built agent (dist/), not passive, so it watches the settings file. It
// prints its sources (name, state, who answered) as one JSON line at start and at every
// change of its state, for the test to read.

import { createAgent } from '../../../dist/main/agent.js';
import { acquireLock } from '../../../dist/main/util/instance-lock.js';

const [dataDir, cwd] = process.argv.slice(2);
const lock = acquireLock(dataDir);
const agent = await createAgent({ mode: 'desktop', dataDir, cwd });
const print = (status) => process.stdout.write(`${JSON.stringify({ sources: status.sources })}\n`);
agent.api.onStatus(print);
print(await agent.api.status({}));
process.on('SIGTERM', () => {
  void agent.close().then(() => {
    lock.release();
    process.exit(0);
  });
});
