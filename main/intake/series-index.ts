// Finds a metric's series by its label set without building a key string: a trie of
// (attribute key -> value -> node) over the sorted attributes. A data point costs one
// or two Map lookups per attribute on the strings the decoder already made; a joined
// key string would have to be built, flattened and hashed for every point (that was
// the single largest cost of the intake).

interface Node<S> {
  series: S | undefined;
  next: Map<string, Map<string, Node<S>>> | undefined;
}

/** Estimated bytes of one trie node with its two small maps (charged to the memory budget). */
export const INDEX_NODE_BYTES = 320;

export class SeriesIndex<S> {
  private readonly root: Node<S> = { series: undefined, next: undefined };
  private readonly all: S[] = [];

  get size(): number {
    return this.all.length;
  }

  values(): readonly S[] {
    return this.all;
  }

  /** The series of the first n (key, value) pairs (sorted by key), or undefined. */
  find(keys: readonly string[], values: readonly string[], n: number): S | undefined {
    let node: Node<S> | undefined = this.root;
    for (let i = 0; i < n && node !== undefined; i++) node = node.next?.get(keys[i] as string)?.get(values[i] as string);
    return node?.series;
  }

  /** Adds a series for a label set that find() did not know; returns the nodes it created. */
  insert(keys: readonly string[], values: readonly string[], n: number, series: S): number {
    let node = this.root;
    let created = 0;
    for (let i = 0; i < n; i++) {
      const key = keys[i] as string;
      const value = values[i] as string;
      node.next ??= new Map();
      let byValue = node.next.get(key);
      if (byValue === undefined) {
        byValue = new Map();
        node.next.set(key, byValue);
      }
      let child = byValue.get(value);
      if (child === undefined) {
        child = { series: undefined, next: undefined };
        byValue.set(value, child);
        created++;
      }
      node = child;
    }
    node.series = series;
    this.all.push(series);
    return created;
  }
}
