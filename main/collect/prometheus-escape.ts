// Escaping for the Prometheus text format 0.0.4. Label text is built once per series
// at bind time and cached, so an exposition only concatenates.

export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

export function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** `a="x",b="y"` (no braces), keys in the given order; '' for no labels. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [name, value] of Object.entries(labels)) {
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  return out;
}

/** A sample value as Prometheus spells it (Go's ParseFloat accepts JS's exponent form). */
export function formatSampleValue(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n); // NaN -> 'NaN', as Prometheus spells it
}
