// The built intake in a process of its own (node --expose-gc), for the flood test: it
// listens, tells its port over IPC, and on {cmd: 'memory'} collects garbage and
// answers with its heap, its RSS and the intake's own estimate of its memory.

import { createIntake } from '../../../dist/main/intake/intake.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const intake = createIntake({ port: 0, ...options });
const { port } = await intake.start();

const settle = () => {
  for (let i = 0; i < 3; i++) globalThis.gc();
};
settle();
const baseline = process.memoryUsage();

process.on('message', (message) => {
  if (message.cmd !== 'memory') return;
  settle();
  const now = process.memoryUsage();
  const sources = intake.sources();
  process.send({
    baseline: { heapUsed: baseline.heapUsed, rss: baseline.rss },
    now: { heapUsed: now.heapUsed, rss: now.rss, external: now.external, arrayBuffers: now.arrayBuffers },
    stats: intake.stats(),
    sources: sources.map((s) => ({ name: s.name, seen: s.seen, memory_bytes: s.memory_bytes, counts: s.counts })),
    dropped: Object.fromEntries(intake.pendingPreview().map((s) => [s.name, s.dropped])),
  });
});
process.send({ port });
