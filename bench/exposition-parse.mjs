// A strict reader of the Prometheus text exposition format 0.0.4, enough to prove an
// exposition valid rather than trust it: every line must parse, every sample must
// belong to the family its # TYPE line declared, label values may only use the three
// escapes, no series may repeat, and every histogram series must have ascending `le`
// buckets with non-decreasing counts, a +Inf bucket equal to _count, and a _sum.
// Returns the samples keyed by name + sorted labels so two expositions can be compared.

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]Inf|NaN)$/;

function fail(lineNo, line, why) {
  throw new Error(`exposition line ${lineNo}: ${why}: ${JSON.stringify(line.slice(0, 120))}`);
}

function parseValue(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function parseLabels(line, start, lineNo) {
  const labels = {};
  let i = start;
  for (;;) {
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = LABEL.exec(line.slice(i));
    if (name === null) fail(lineNo, line, 'bad label name');
    i += name[0].length;
    if (line[i] !== '=' || line[i + 1] !== '"') fail(lineNo, line, 'expected ="');
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) fail(lineNo, line, 'unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const e = line[i + 1];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else fail(lineNo, line, 'bad escape in label value');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    i++;
    if (Object.hasOwn(labels, name[0])) fail(lineNo, line, `label ${name[0]} repeated`);
    labels[name[0]] = value;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') fail(lineNo, line, 'expected , or }');
  }
}

export function seriesKey(name, labels) {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(k === 'le' ? String(parseValue(labels[k])) : labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

/** Parses and checks `text`; returns { samples: Map<key, number>, families, lines }. */
export function parseExposition(text) {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('exposition does not end with a newline');
  const lines = text.split('\n');
  lines.pop();
  const families = new Map(); // name -> type
  const samples = new Map();
  const histos = new Map(); // base + labels without le -> { buckets: [[le, v]], count, sum }
  let current = null;
  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (m === null) return; // a plain comment is allowed
      if (m[1] === 'HELP' && /\\[^\\n]/.test(m[3].replace(/\\\\/g, ''))) fail(lineNo, line, 'bad escape in HELP');
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) fail(lineNo, line, 'unknown type');
        if (families.has(m[2])) fail(lineNo, line, 'TYPE repeated');
        families.set(m[2], m[3]);
        current = { name: m[2], type: m[3] };
      }
      return;
    }
    if (line === '') return; // the format ignores empty lines (prom-client separates families with one)
    const name = METRIC.exec(line);
    if (name === null) fail(lineNo, line, 'bad metric name');
    let i = name[0].length;
    let labels = {};
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i + 1, lineNo));
    if (line[i] !== ' ') fail(lineNo, line, 'expected a space before the value');
    const rest = line.slice(i + 1).split(' ');
    if (rest.length > 2 || !VALUE.test(rest[0]) || (rest.length === 2 && !/^-?\d+$/.test(rest[1])))
      fail(lineNo, line, 'bad value or timestamp');
    const value = parseValue(rest[0]);
    const sample = name[0];
    if (current === null) fail(lineNo, line, 'sample before any TYPE line');
    const suffix = sample.slice(current.name.length);
    const allowed =
      current.type === 'histogram' ? ['_bucket', '_sum', '_count'] : current.type === 'summary' ? ['', '_sum', '_count'] : [''];
    if (!sample.startsWith(current.name) || !allowed.includes(suffix))
      fail(lineNo, line, `sample does not belong to family ${current.name}`);
    const key = seriesKey(sample, labels);
    if (samples.has(key)) fail(lineNo, line, 'series repeated');
    samples.set(key, value);
    if (current.type === 'histogram') {
      const { le, ...rest2 } = labels;
      const hk = seriesKey(current.name, rest2);
      const h = histos.get(hk) ?? { buckets: [], count: undefined, sum: undefined };
      histos.set(hk, h);
      if (suffix === '_bucket') {
        if (le === undefined) fail(lineNo, line, 'bucket without le');
        h.buckets.push([parseValue(le), value]);
      } else if (le !== undefined) fail(lineNo, line, 'le outside a bucket');
      else if (suffix === '_sum') h.sum = value;
      else h.count = value;
    }
  });
  for (const [hk, h] of histos) {
    for (let j = 1; j < h.buckets.length; j++) {
      if (!(h.buckets[j][0] > h.buckets[j - 1][0])) throw new Error(`${hk}: le not ascending`);
      if (h.buckets[j][1] < h.buckets[j - 1][1]) throw new Error(`${hk}: bucket counts not cumulative`);
    }
    const top = h.buckets[h.buckets.length - 1];
    if (top === undefined || top[0] !== Infinity) throw new Error(`${hk}: no +Inf bucket`);
    if (h.count !== top[1]) throw new Error(`${hk}: _count ${h.count} != +Inf bucket ${top[1]}`);
    if (h.sum === undefined) throw new Error(`${hk}: no _sum`);
  }
  return { samples, families: families.size, lines: lines.length, histogramSeries: histos.size };
}

/** Differences between two parsed expositions (same keys, values equal up to float rounding of sums). */
export function compareSamples(a, b) {
  const diffs = [];
  for (const [k, v] of a) {
    if (!b.has(k)) diffs.push(`only in first: ${k}`);
    else if (Math.abs(b.get(k) - v) > 1e-9 * Math.max(1, Math.abs(v))) diffs.push(`${k}: ${v} != ${b.get(k)}`);
  }
  for (const k of b.keys()) if (!a.has(k)) diffs.push(`only in second: ${k}`);
  return diffs;
}
