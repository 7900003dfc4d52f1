// Prometheus naming rules, checked once at registration and bind time so that the
// exposition never has to re-check (and the hot path never sees a string).

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function assertMetricName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new Error(`invalid metric name ${JSON.stringify(name)}: must match [a-zA-Z_:][a-zA-Z0-9_:]*`);
  }
}

/**
 * Checks a label set and returns it as a frozen copy with sorted keys, plus the
 * canonical key that identifies the series (same labels in any order, same key).
 * `reserved` names labels the metric kind uses itself (a histogram's `le`).
 */
export function canonicalLabels(
  metric: string,
  labels: unknown,
  reserved: readonly string[] = [],
): { labels: Readonly<Record<string, string>>; key: string } {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new Error(`labels for metric ${metric} must be an object of string values, got ${labels === null ? 'null' : typeof labels}`);
  }
  const names = Object.keys(labels).sort();
  const out: Record<string, string> = {};
  for (const name of names) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new Error(
        `invalid label name ${JSON.stringify(name)} on metric ${metric}: must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __`,
      );
    }
    if (reserved.includes(name)) throw new Error(`label name ${JSON.stringify(name)} is reserved on metric ${metric}`);
    const value: unknown = (labels as Record<string, unknown>)[name];
    if (typeof value !== 'string') {
      throw new Error(`label ${name} on metric ${metric} must be a string, got ${typeof value}`);
    }
    out[name] = value;
  }
  // JSON of the sorted pairs: unambiguous whatever the values contain.
  return { labels: Object.freeze(out), key: JSON.stringify(names.map((n) => [n, out[n]])) };
}

/** Prometheus convention: a counter's samples end in _total; appended when the name lacks it. */
export function exposedCounterName(name: string): string {
  return name.endsWith('_total') ? name : `${name}_total`;
}

/** Every name a metric occupies in the exposition (for collision checks). */
export function exposedNames(kind: 'counter' | 'histogram', name: string): string[] {
  return kind === 'counter' ? [exposedCounterName(name)] : [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
}
