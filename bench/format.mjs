// Renders results (as written to results.json) as plain-text tables for the terminal
// and as Markdown for docs/benchmarks.md: one table per area, each Candor figure next
// to its comparisons, then the bars with the ratio measured in the same run.

function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function pct(v) {
  return Number.isFinite(v) ? `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%` : '-';
}

function verdict(met) {
  if (met === null || met === undefined) return 'info';
  return met ? 'MET' : 'MISSED';
}

export function tableRows(area) {
  const measurements = Object.values(area.measurements).map((m) => [
    m.area,
    m.impl,
    num(m.median),
    m.unit,
    `${num(m.min)}–${num(m.max)}`,
    m.runs > 3 && m.iqr !== undefined ? pct(m.iqr) : '-',
    String(m.runs),
  ]);
  const bars = area.bars.map((b) => [verdict(b.met), b.bar, num(b.candor), num(b.reference), num(b.ratio), b.limit]);
  return { measurements, bars };
}

const M_HEAD = ['what', 'implementation', 'median', 'unit', 'min–max', 'IQR/median', 'runs'];
const B_HEAD = ['', 'bar', 'Candor', 'comparison', 'ratio', 'limit'];

function textTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderText(results) {
  const out = [];
  for (const [i, area] of results.areas.entries()) {
    const { measurements, bars } = tableRows(area);
    out.push(`\n== ${i + 1}. ${area.area} ==`, textTable(M_HEAD, measurements), '', textTable(B_HEAD, bars));
  }
  return out.join('\n');
}

function mdTable(head, rows) {
  const esc = (c) => c.replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(results) {
  const out = [];
  for (const [i, area] of results.areas.entries()) {
    const { measurements, bars } = tableRows(area);
    out.push(`### ${i + 1}. ${area.area}`, '', mdTable(M_HEAD, measurements), '', mdTable(B_HEAD, bars), '');
  }
  return out.join('\n');
}
