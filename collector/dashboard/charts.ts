import type { Distribution, TimerAggregate } from '../aggregates-types.js';
import { formatCount, formatMs, h } from './dom.js';

// Charts as inline SVG built element by element (no library, no canvas, no inline
// style): bars for distributions, and for timers the fleet's p50/p95/p99 on a log axis.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
const ROW = 20;
const LABEL = 130;
const BAR = WIDTH - LABEL - 60;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const DIM_TITLES: Record<string, string> = {
  os: 'Operating system',
  arch: 'Architecture',
  distro: 'Distribution',
  cpu_vendor: 'CPU vendor',
  cpu_cores: 'CPU cores',
  ram_gib: 'RAM (GiB)',
  disk_type: 'Disk types',
  disk_size_gb: 'Disk sizes (GB)',
  gpu_vendor: 'GPU vendor',
  virtualization: 'Virtualization',
  candor_version: 'Candor version',
  app_mode: 'Candor mode',
  source: 'Sources (apps)',
  source_version: 'Version',
  source_sdk: 'SDK language',
};

export function dimTitle(dim: string): string {
  return DIM_TITLES[dim] ?? dim;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One distribution as a figure: a bar per value (instances), and what was suppressed. */
export function distributionChart(dist: Distribution): HTMLElement {
  const title = dimTitle(dist.dim);
  const figure = h('figure', { class: 'chart', 'data-dim': dist.dim });
  figure.append(h('figcaption', {}, title));
  if (dist.cells.length === 0) {
    figure.append(h('p', { class: 'empty' }, dist.suppressed > 0 ? `${dist.suppressed} group(s) below the threshold` : 'no data'));
    return figure;
  }
  const max = Math.max(...dist.cells.map((c) => c.reports));
  const height = dist.cells.length * ROW + 4;
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': `${title}: bar chart` });
  dist.cells.forEach((cell, i) => {
    const y = i * ROW + 2;
    const width = Math.max(1, (cell.reports / max) * BAR);
    const label = cell.value === '' ? 'unknown' : cell.value;
    chart.append(svg('text', { x: LABEL - 6, y: y + 13, 'text-anchor': 'end', class: 'label' }, clip(label, 20)));
    const bar = svg('rect', { x: LABEL, y: y + 2, width: width.toFixed(1), height: ROW - 6, class: 'bar', 'data-value': label });
    bar.append(svg('title', {}, `${label}: ${cell.reports} instances`));
    chart.append(bar);
    chart.append(svg('text', { x: LABEL + width + 4, y: y + 13, class: 'count' }, formatCount(cell.reports)));
  });
  figure.append(chart);
  if (dist.suppressed > 0) figure.append(h('p', { class: 'suppressed' }, `+ ${dist.suppressed} group(s) below the threshold`));
  return figure;
}

const PCT = ['p50', 'p95', 'p99'] as const;

/** Timers: a table of the numbers, and p50/p95/p99 bars on a shared log scale. */
export function timersTable(timers: readonly TimerAggregate[]): HTMLElement {
  if (timers.length === 0) return h('p', { class: 'empty' }, 'no timer backed by enough instances');
  const values = timers.flatMap((t) => PCT.map((p) => t[p]).filter((v): v is number => v !== null && v > 0));
  const lo = Math.log10(Math.min(...values, 0.01));
  const hi = Math.log10(Math.max(...values, 1));
  const scale = (v: number): number => ((Math.log10(Math.max(v, 10 ** lo)) - lo) / Math.max(1e-9, hi - lo)) * 150 + 2;
  const table = h(
    'table',
    { class: 'timers' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['timer', 'instances', 'calls', 'mean', 'p50', 'p95', 'p99', 'max', 'percentiles'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
  );
  const body = h('tbody');
  for (const t of timers) {
    const chart = svg('svg', { viewBox: '0 0 160 30', class: 'pct', role: 'img', 'aria-label': `${t.metric}: p50, p95, p99` });
    PCT.forEach((p, i) => {
      const v = t[p];
      if (v === null) return;
      const rect = svg('rect', { x: 0, y: i * 10 + 1, width: scale(v).toFixed(1), height: 8, class: `bar ${p}` });
      rect.append(svg('title', {}, `${p}: ${formatMs(v)}`));
      chart.append(rect);
    });
    body.append(
      h(
        'tr',
        { 'data-metric': t.metric },
        h('th', { scope: 'row' }, t.metric),
        h('td', {}, formatCount(t.reports)),
        h('td', {}, formatCount(t.count)),
        h('td', {}, formatMs(t.mean)),
        h('td', { class: 'p50' }, formatMs(t.p50)),
        h('td', { class: 'p95' }, formatMs(t.p95)),
        h('td', { class: 'p99' }, formatMs(t.p99)),
        h('td', {}, formatMs(t.max)),
        h('td', {}, chart),
      ),
    );
  }
  table.append(body);
  return table;
}
