import { OTHER } from '../anonymize/categories.js';
import type { IntakeLimits } from './limits.js';
import { isObj, list, scalarText } from './otlp-values.js';
import type { NameChecker } from './safe-names.js';
import type { SeriesLabels } from './series.js';

// A data point's attributes -> the sorted (key, value) pairs that find its series, and
// (only for a new series) its labels. A key must be a safe name or the attribute is
// dropped; a value is read only when it is a scalar; where the source declares the key
// a category, a value outside the declared list becomes `other`; every other value is
// kept raw for the payload rules to hash. Sorted by key, the same set in any order is
// the same series. One scratch object is reused for every point: no allocation.

export interface Counter {
  count(reason: string, n?: number): void;
}

export class AttributeReader {
  /** The pairs last read, sorted by key: keys[0..n), values[0..n). */
  readonly keys: string[] = [];
  readonly values: string[] = [];
  private readonly category: boolean[] = [];
  n = 0;
  /** Characters of the current label set (for the memory estimate). */
  chars = 0;

  constructor(
    private readonly names: NameChecker,
    private readonly limits: IntakeLimits,
  ) {}

  /** Reads the pairs of these attributes; false when the attribute list is malformed. */
  read(attributes: unknown, categories: ReadonlyMap<string, ReadonlySet<string>>, drops: Counter): boolean {
    const items = list(attributes);
    if (items === null) return false;
    this.n = 0;
    this.chars = 0;
    if (items.length === 0) return true;
    for (const kv of items) {
      if (!isObj(kv) || typeof kv['key'] !== 'string') {
        drops.count('attribute_malformed');
        continue;
      }
      const key = kv['key'];
      const problem = this.names.name(key);
      if (problem !== null) {
        drops.count(`attribute_key_${problem}`);
        continue;
      }
      if (this.n >= this.limits.maxAttributesPerPoint) {
        drops.count('too_many_attributes');
        continue;
      }
      let value = scalarText(kv['value']);
      if (value === null) {
        drops.count('attribute_value_not_scalar');
        continue;
      }
      const declared = categories.get(key);
      if (declared !== undefined) {
        if (!declared.has(value)) value = OTHER;
      } else if (value.length > this.limits.maxAttributeValueChars) {
        drops.count('attribute_value_too_long');
        continue;
      }
      this.insert(key, value, declared !== undefined);
      this.chars += key.length + value.length;
    }
    return true;
  }

  /** Insertion into the sorted scratch (a point has a handful of attributes). */
  private insert(key: string, value: string, isCategory: boolean): void {
    let i = this.n;
    while (i > 0 && (this.keys[i - 1] as string) > key) {
      this.keys[i] = this.keys[i - 1] as string;
      this.values[i] = this.values[i - 1] as string;
      this.category[i] = this.category[i - 1] as boolean;
      i--;
    }
    this.keys[i] = key;
    this.values[i] = value;
    this.category[i] = isCategory;
    this.n++;
  }

  /** The labels of the set last read (call right after read(), before the next one). */
  labels(): SeriesLabels {
    const categories: Record<string, string> = {};
    const hashed: Record<string, string> = {};
    for (let i = 0; i < this.n; i++) {
      const target = this.category[i] === true ? categories : hashed;
      target[this.keys[i] as string] = this.values[i] as string;
    }
    return { categories, hashed };
  }
}
