/**
 * Runs async tasks one after another. The outbox and the ledger move and rewrite
 * files; two of those steps interleaving (a drop while a reject reads the same file)
 * would count or lose a report twice.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
