// One error type for every way an operator's configuration can be wrong. The message
// always says where (file and line, or environment variable), which key, and what was
// expected, because the agent refuses to start on it and the operator must fix it.

export class ConfigError extends Error {
  readonly source: string;
  readonly line: number | null;
  readonly key: string | null;

  constructor(opts: { source: string; line?: number | null; key?: string | null; problem: string }) {
    const line = opts.line ?? null;
    const key = opts.key ?? null;
    const where = line === null ? opts.source : `${opts.source}:${line}`;
    super(`invalid configuration: ${where}: ${key === null ? '' : `${key}: `}${opts.problem}`);
    this.name = 'ConfigError';
    this.source = opts.source;
    this.line = line;
    this.key = key;
  }
}

/** A short, unambiguous rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return String(value);
}

/** Closest known name by edit distance, for "did you mean" hints on typos. */
export function closestName(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance: single-character inserts, deletes and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
