import type { ApplyOptions } from './apply.js';

// What the anonymizer's rules made of each value, remembered for a receiver that checks
// many reports under one context (main/report/published.ts).

/** Longest string remembered, most values and most characters held: a flood of unique values cannot grow it. */
const MEMO_MAX_CHARS_EACH = 1024;
const MEMO_MAX_ENTRIES = 50_000;
const MEMO_MAX_CHARS = 4_000_000;

/**
 * What each leaf value (a string or a number) came to under its rule (the value, or
 * dropped), per schema node.
 * A rule is a pure function of the value and the context (key, scrub and error
 * context, skipped rules), so one memo serves only one context: it binds itself to the
 * options of its first walk and refuses others. Bounded: when full it starts over.
 */
export class RuleMemo {
  /** By node id: the rule the values were ruled by, and what each came to. */
  private readonly byNode: Array<{ rule: string; values: Map<string | number, unknown> } | undefined> = [];
  private entries = 0;
  private chars = 0;
  private bound: Pick<ApplyOptions, 'key' | 'scrub' | 'errors' | 'skipRules'> | null = null;

  /** @internal Checks that this memo is used with the context it was first used with. */
  bind(options: ApplyOptions): void {
    if (this.bound === null) {
      this.bound = { key: options.key, scrub: options.scrub, errors: options.errors, skipRules: options.skipRules };
      return;
    }
    const b = this.bound;
    if (b.key !== options.key || b.scrub !== options.scrub || b.errors !== options.errors || b.skipRules !== options.skipRules)
      throw new Error('RuleMemo: used with another key, scrub, errors or skipRules than its first walk');
  }

  /** @internal What `value` came to at node `id` under `rule`; undefined when not known. */
  get(id: number, rule: string, value: string | number): unknown {
    const entry = this.byNode[id];
    return entry !== undefined && entry.rule === rule ? entry.values.get(value) : undefined;
  }

  /** @internal */
  set(id: number, rule: string, value: string | number, out: unknown): void {
    const size = typeof value === 'string' ? value.length : 8;
    if (size > MEMO_MAX_CHARS_EACH) return;
    if (this.entries >= MEMO_MAX_ENTRIES || this.chars >= MEMO_MAX_CHARS) this.clear();
    let entry = this.byNode[id];
    if (entry === undefined) {
      entry = { rule, values: new Map() };
      this.byNode[id] = entry;
    } else if (entry.rule !== rule) return; // the same node under another inherited rule: not remembered
    entry.values.set(value, out);
    this.entries += 1;
    this.chars += size + (typeof out === 'string' ? out.length : 0);
  }

  /** Values remembered. */
  get size(): number {
    return this.entries;
  }

  clear(): void {
    this.byNode.length = 0;
    this.entries = 0;
    this.chars = 0;
  }
}
