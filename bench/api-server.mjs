// The headless agent (agent + loopback API) in its own process, so the load
// generator does not share its event loop. Prints { port, token } on fd 3 and runs
// until stdin closes (the parent exiting for any reason ends it too).

import { writeSync } from 'node:fs';
import { startHeadless } from '../dist/main/headless.js';

const [dataDir, cwd] = process.argv.slice(2);
const handle = await startHeadless({ dataDir, cwd, env: {}, port: 0 });
// One report first, so the static system facts are read before any load.
await handle.agent.api.preview({ details_level: 4, anonymize: true });
writeSync(3, JSON.stringify({ port: handle.port, token: handle.token }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => void handle.close().then(() => process.exit(0)));
