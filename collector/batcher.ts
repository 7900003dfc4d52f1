import { StoreUnavailableError, type ReportItem, type Store } from './store/store.js';

// Group commit: reports that arrive while a write is under way wait for the next one,
// so one commit (one fsync, one round trip to ClickHouse) carries many reports, and
// each HTTP answer goes out only after the write that holds its report has returned:
// nothing acknowledged is ever lost. When the store fails, every report of that write
// gets the error (the agent keeps it and retries).

export type Stored = 'stored' | 'duplicate';

interface Pending {
  item: ReportItem;
  resolve: (outcome: Stored) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  store: Store;
  /** Most reports in one write (default 1000). */
  maxBatch?: number;
  /** How long an idle batcher lets the first report wait for company (default 2 ms). */
  lingerMs?: number;
  /** Reports waiting beyond this are refused at once with 503 (default 20,000). */
  maxPending?: number;
  /** After each write, for the bench and the logs. */
  onWrite?: (info: { reports: number; ms: number }) => void;
}

export class Batcher {
  private pending: Pending[] = [];
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly maxPending: number;

  constructor(private readonly options: BatcherOptions) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.lingerMs = options.lingerMs ?? 2;
    this.maxPending = options.maxPending ?? 20_000;
  }

  submit(item: ReportItem): Promise<Stored> {
    if (this.pending.length >= this.maxPending)
      return Promise.reject(new StoreUnavailableError(`${this.pending.length} reports are waiting to be written`, 5));
    return new Promise<Stored>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted before the call has been written (or failed). */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.writing !== null) {
      if (this.writing === null) this.startWrite();
      await this.writing;
    }
  }

  get waiting(): number {
    return this.pending.length;
  }

  private schedule(): void {
    if (this.writing !== null) return; // the running write starts the next one when it ends
    if (this.pending.length >= this.maxBatch) {
      this.startWrite();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      if (this.writing === null) this.startWrite();
    }, this.lingerMs);
  }

  private startWrite(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
      if (this.pending.length > 0) this.startWrite();
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      const outcome = await this.options.store.insert(batch.map((p) => p.item));
      const stored = new Set(outcome.stored);
      // A report_id given twice in one batch is stored once: 'stored' for the first, 'duplicate' after.
      for (const p of batch) {
        const id = p.item.reportId;
        p.resolve(stored.delete(id) ? 'stored' : 'duplicate');
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
    this.options.onWrite?.({ reports: batch.length, ms: performance.now() - started });
  }
}
