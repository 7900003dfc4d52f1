// A strict parser of the Prometheus text format 0.0.4, for tests: it accepts only
// what the format allows (and what our exposition is meant to produce), and throws
// naming the line for anything else.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string | undefined;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;

function unescape(text: string, allowQuote: boolean, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && allowQuote) out += '"';
    else throw new Error(`${where}: invalid escape \\${next ?? '(end)'}`);
  }
  return out;
}

export function parseValue(text: string, where: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!FLOAT.test(text)) throw new Error(`${where}: invalid value ${JSON.stringify(text)}`);
  return Number(text);
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = METRIC_NAME.exec(line);
  if (nameMatch === null) throw new Error(`${where}: sample does not start with a metric name`);
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const labelMatch = LABEL_NAME.exec(line.slice(i));
      if (labelMatch === null) throw new Error(`${where}: expected a label name at column ${i}`);
      const label = labelMatch[0];
      if (label in labels) throw new Error(`${where}: duplicate label ${label}`);
      i += label.length;
      if (line.slice(i, i + 2) !== '="') throw new Error(`${where}: expected =" after label ${label}`);
      i += 2;
      let raw = '';
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') raw += line[i++];
        raw += line[i++];
      }
      if (line[i] !== '"') throw new Error(`${where}: unterminated value of label ${label}`);
      i++;
      labels[label] = unescape(raw, true, `${where} label ${label}`);
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`${where}: expected , or } after label ${label}`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error(`${where}: expected one space before the value`);
  const rest = line.slice(i + 1);
  if (rest.includes(' ')) throw new Error(`${where}: unexpected text after the value (timestamps are not produced)`);
  return { name, labels, value: parseValue(rest, where) };
}

function familyOf(sample: string, family: Family): boolean {
  if (family.type === 'histogram') return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`].includes(sample);
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`].includes(sample);
  return sample === family.name;
}

export function parsePrometheusText(text: string): Family[] {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition does not end with a newline');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  const families = new Map<string, Family>();
  const helpSeen = new Set<string>();
  const seriesSeen = new Set<string>();
  let current: Family | undefined;
  lines.forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') throw new Error(`${where}: empty line`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([^ ]+) (.*)$/.exec(line);
      if (m === null) throw new Error(`${where}: comment is neither HELP nor TYPE`);
      const [, what, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (!METRIC_NAME.test(name) || (METRIC_NAME.exec(name)?.[0] ?? '') !== name) throw new Error(`${where}: invalid metric name ${name}`);
      let family = families.get(name);
      if (family === undefined) {
        family = { name, help: undefined, type: 'untyped', samples: [] };
        families.set(name, family);
      } else if (family.samples.length > 0) throw new Error(`${where}: ${what} for ${name} after its samples`);
      if (what === 'HELP') {
        if (helpSeen.has(name)) throw new Error(`${where}: second HELP for ${name}`);
        helpSeen.add(name);
        family.help = unescape(rest, false, `${where} HELP`);
      } else {
        if (!(TYPES as readonly string[]).includes(rest)) throw new Error(`${where}: unknown type ${rest}`);
        if (family.type !== 'untyped') throw new Error(`${where}: second TYPE for ${name}`);
        family.type = rest as Family['type'];
      }
      current = family;
      return;
    }
    const sample = parseSample(line, where);
    if (current === undefined || !familyOf(sample.name, current))
      throw new Error(`${where}: sample ${sample.name} outside its family's block`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seriesSeen.has(key)) throw new Error(`${where}: duplicate sample ${key}`);
    seriesSeen.add(key);
    current.samples.push(sample);
  });
  return [...families.values()];
}
