// `npm run bench`: every area in its own child process (fresh JIT and heap, and a
// crash in one area does not lose the others), one table per area printed as each
// finishes, and all figures written to bench/results.json.
// `node bench/run.mjs hot-path api` runs only the named areas.

import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { renderText } from './format.mjs';
import { describeMachine } from './machine.mjs';
import { spawnJson } from './spawn-json.mjs';

const AREAS = [
  'hot-path',
  'exposition',
  'report',
  'anonymizer',
  'api',
  'agent-cost',
  'cli',
  'intake',
  'intake-flood',
  'collector-ingest',
  'collector-queries',
];
/** Areas that need longer than the default 180 s (the collector loads a million reports). */
const TIMEOUT_MS = { 'collector-ingest': 600_000, 'collector-queries': 600_000 };
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : AREAS;
for (const name of chosen) if (!AREAS.includes(name)) throw new Error(`unknown area ${name}; one of ${AREAS.join(', ')}`);

const started = Date.now();
const results = { startedAt: new Date(started).toISOString(), machine: describeMachine(), areas: [], failures: [] };
console.log(
  `Candor benchmarks on ${results.machine.cpu}, ${results.machine.logicalCores} cores, ${results.machine.ramGiB} GiB, Node ${results.machine.node}, ${results.machine.distro ?? results.machine.os}; load ${results.machine.loadavgAtStart.join(' ')}`,
);

for (const name of chosen) {
  const t0 = Date.now();
  process.stdout.write(`\n[${name}] running...`);
  try {
    const area = await spawnJson(new URL(`./${name}.mjs`, import.meta.url).pathname, [], { timeoutMs: TIMEOUT_MS[name] ?? 180_000 });
    area.id = name;
    area.seconds = (Date.now() - t0) / 1000;
    results.areas.push(area);
    process.stdout.write(` ${area.seconds.toFixed(0)} s`);
    console.log(renderText({ areas: [area] }).replace(/^\n== 1\./, `\n== ${AREAS.indexOf(name) + 1}.`));
  } catch (error) {
    results.failures.push({ area: name, error: error.message });
    console.log(` FAILED: ${error.message}`);
  }
}

results.seconds = (Date.now() - started) / 1000;
results.machine.loadavgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
const out = new URL('./results.json', import.meta.url);
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
const bars = results.areas.flatMap((a) => a.bars).filter((b) => b.met !== null);
console.log(
  `\n${bars.filter((b) => b.met).length}/${bars.length} bars met; ${results.failures.length} areas failed; ${results.seconds.toFixed(0)} s; load ${results.machine.loadavgAtEnd.join(' ')}; figures in bench/results.json`,
);
process.exitCode = results.failures.length > 0 ? 1 : 0;
