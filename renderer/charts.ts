import type { Samples } from '../main/api.js';
import { h } from './dom.js';

// Small line charts of the sampled load, as inline SVG (no chart library, no canvas).
// Colours come from CSS classes: the CSP allows no inline styles.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 240;
const HEIGHT = 60;
/** Room above 100% and below 0% so a line at either edge stays visible. */
const PAD = 3;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function yOf(pct: number): number {
  return PAD + (1 - Math.min(100, Math.max(0, pct)) / 100) * (HEIGHT - 2 * PAD);
}

interface Point {
  age: number;
  value: number | null;
}

/** Runs of consecutive known values as [x, y] pairs: a missing sample breaks the line. */
function runs(points: Point[], window: number): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  for (const point of [...points].sort((a, b) => b.age - a.age)) {
    if (point.value === null) {
      if (current.length > 0) out.push(current);
      current = [];
      continue;
    }
    const x = window === 0 ? WIDTH : WIDTH - (point.age / window) * WIDTH;
    current.push([x, yOf(point.value)]);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * A polyline of one point draws nothing, so a lone sample is a dot. The SVG is
 * stretched (preserveAspectRatio none), which would make a plain circle an ellipse:
 * a tiny circle with a thick non-scaling stroke stays round on screen.
 */
function drawRun(run: [number, number][]): SVGElement {
  const [only] = run;
  if (run.length === 1 && only !== undefined) {
    // Kept off the very edge, where half the dot would be cut off.
    const cx = Math.min(WIDTH - PAD, Math.max(PAD, only[0]));
    return svg('circle', {
      cx: cx.toFixed(1),
      cy: only[1].toFixed(1),
      r: 0.1,
      class: 'line dot',
      fill: 'none',
      'vector-effect': 'non-scaling-stroke',
    });
  }
  const points = run.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  return svg('polyline', { points, class: 'line', fill: 'none', 'vector-effect': 'non-scaling-stroke' });
}

function percent(n: number): string {
  return `${n.toFixed(n < 10 ? 1 : 0)}%`;
}

function describeWindow(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}

export function loadChart(title: string, kind: 'cpu' | 'mem', points: Point[]): HTMLElement {
  const known = points.map((p) => p.value).filter((v): v is number => v !== null);
  const window = Math.max(0, ...points.map((p) => p.age));
  const newest = [...points].sort((a, b) => a.age - b.age).find((p) => p.value !== null)?.value ?? null;
  const summary =
    known.length === 0
      ? `${title}: not reported on this system.`
      : `${title}: now ${percent(newest ?? 0)}, average ${percent(known.reduce((a, b) => a + b, 0) / known.length)}, peak ${percent(Math.max(...known))} over the last ${describeWindow(window)}.`;
  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: `chart chart-${kind}`,
    role: 'img',
    'aria-label': summary,
    preserveAspectRatio: 'none',
  });
  for (const level of [0, 50, 100]) {
    const y = yOf(level);
    chart.append(svg('line', { x1: 0, x2: WIDTH, y1: y, y2: y, class: 'grid' }));
  }
  for (const run of runs(points, window)) chart.append(drawRun(run));
  return h('figure', { class: 'load-chart' }, chart, h('figcaption', {}, summary));
}

export function renderCharts(target: HTMLElement, samples: Samples): void {
  if (samples.samples.length === 0) {
    target.replaceChildren(h('p', { class: 'muted' }, 'No load samples yet.'));
    return;
  }
  target.replaceChildren(
    loadChart(
      'CPU',
      'cpu',
      samples.samples.map((s) => ({ age: s.age_s, value: s.cpu_pct })),
    ),
    loadChart(
      'Memory in use',
      'mem',
      samples.samples.map((s) => ({ age: s.age_s, value: s.mem_used_pct })),
    ),
    h(
      'p',
      { class: 'muted' },
      `One sample every ${samples.interval_s} s. Level 2 sends their summary (min, average, max, 95th percentile); level 3 also the most recent samples.`,
    ),
  );
}
