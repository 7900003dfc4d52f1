// Counts the cases each suite tried, so every file can print one summary line
// (`cases: <suite> <n>`) that docs/reliability-input.md quotes.

export class CaseCount {
  private readonly counts = new Map<string, number>();

  add(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  summary(suite: string): string {
    const parts = [...this.counts].map(([what, n]) => `${what} ${n}`).join(', ');
    return `cases: ${suite} ${this.total()} (${parts})`;
  }
}
