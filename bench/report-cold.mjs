// One cold measurement in a fresh process (spawned by report.mjs):
//   candor: import the agent, create it, build the first level-4 anonymized report;
//   static: import systeminformation and call getStaticData() once.
// Both include their own module loading, so the two figures cost the same kind of work.

import { writeSync } from 'node:fs';

const which = process.argv[2];
const t0 = performance.now();
let out;
if (which === 'candor') {
  const { createAgent } = await import('../dist/main/agent.js');
  const tImport = performance.now();
  const agent = await createAgent({ mode: 'cli', passive: true, dataDir: process.argv[3], cwd: process.argv[4], env: {} });
  const tCreate = performance.now();
  const result = await agent.api.preview({ details_level: 4, anonymize: true });
  const tReport = performance.now();
  await agent.close();
  out = {
    ms: tReport - t0,
    importMs: tImport - t0,
    createMs: tCreate - tImport,
    reportMs: tReport - tCreate,
    bytes: JSON.stringify(result.payload).length,
  };
} else {
  const { default: si } = await import('systeminformation');
  const tImport = performance.now();
  const data = await si.getStaticData();
  const tEnd = performance.now();
  out = { ms: tEnd - t0, importMs: tImport - t0, callMs: tEnd - tImport, bytes: JSON.stringify(data).length };
}
writeSync(3, JSON.stringify(out) + '\n');
process.exit(0);
