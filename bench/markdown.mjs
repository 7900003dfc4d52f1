// Prints bench/results.json as the Markdown tables in docs/benchmarks.md:
//   node bench/markdown.mjs > /tmp/tables.md
import { readFileSync } from 'node:fs';
import { renderMarkdown } from './format.mjs';

const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));
const m = results.machine;
console.log(
  `Run of ${results.startedAt}: ${m.cpu}, ${m.logicalCores} logical cores, ${m.ramGiB} GiB RAM, Node ${m.node} (V8 ${m.v8}), ${m.distro ?? ''} (${m.os}); load average ${m.loadavgAtStart.join(' / ')} at start, ${m.loadavgAtEnd.join(' / ')} at end; ${results.seconds.toFixed(0)} s.\n`,
);
console.log(renderMarkdown(results));
