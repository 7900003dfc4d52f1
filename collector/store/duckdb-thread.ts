import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { log } from '../../main/util/log.js';
import type { DuckDbStoreOptions } from './duckdb.js';
import type { StoreCall, StoreMethod, StoreReply, WorkerStatus } from './duckdb-worker.js';
import {
  StoreUnavailableError,
  type AggregateInputs,
  type AggregateWindow,
  type DeleteOutcome,
  type InsertOutcome,
  type ReportItem,
  type Store,
} from './store.js';

// The DuckDB store behind a worker thread. On the collector's event loop a write of ~60
// reports costs ~5 ms of appender work (seven flushes of ~0.4 ms whatever their size,
// and the values' conversion), all of it synchronous; on its own thread it runs beside
// the HTTP and validation work of the next reports instead of between them. What
// crosses: the rows of each batch (a structured copy, ~7 µs a report) and the answers.
// Every guarantee stays where it was: the worker's DuckDbStore is the one writer, and
// insert() resolves only after its commit has returned there.

const WORKER = new URL('./duckdb-worker.js', import.meta.url);

/**
 * The DuckDB store on its own thread when the built worker is there (dist/), else in
 * this thread (the tests, which run the TypeScript sources, and any embedding that
 * cannot start workers).
 */
export async function openDuckDb(options: DuckDbStoreOptions): Promise<Store> {
  if (WORKER.protocol !== 'file:' || !existsSync(fileURLToPath(WORKER))) {
    const { DuckDbStore } = await import('./duckdb.js');
    return DuckDbStore.open(options);
  }
  return ThreadedDuckDbStore.open(options);
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class ThreadedDuckDbStore implements Store {
  readonly kind = 'duckdb' as const;
  readonly where: string;
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly options: DuckDbStoreOptions) {
    this.where = options.path;
  }

  /** Opens the file on a new thread; fails as DuckDbStore.open() would (a file another process holds, say). */
  static async open(options: DuckDbStoreOptions): Promise<ThreadedDuckDbStore> {
    const store = new ThreadedDuckDbStore(options);
    await store.start();
    return store;
  }

  insert(items: readonly ReportItem[]): Promise<InsertOutcome> {
    // Only what the worker's store reads: an item may carry more (the route's own fields).
    const plain = items.map((item) => ({ reportId: item.reportId, instanceId: item.instanceId, rows: item.rows }));
    return this.call('insert', [plain]) as Promise<InsertOutcome>;
  }

  deleteInstances(ids: readonly string[]): Promise<DeleteOutcome> {
    return this.call('deleteInstances', [ids]) as Promise<DeleteOutcome>;
  }

  countRows(ids: readonly string[]): Promise<number> {
    return this.call('countRows', [ids]) as Promise<number>;
  }

  instanceReports(id: string): Promise<number> {
    return this.call('instanceReports', [id]) as Promise<number>;
  }

  aggregateInputs(window: AggregateWindow): Promise<AggregateInputs> {
    return this.call('aggregateInputs', [window]) as Promise<AggregateInputs>;
  }

  removeBefore(day: string): Promise<number> {
    return this.call('removeBefore', [day]) as Promise<number>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    // The worker's close() waits for the writes it has taken, then checkpoints.
    if (worker !== null) await this.call('close', []).catch(() => undefined);
    this.closed = true;
    this.worker = null;
    await worker?.terminate();
  }

  private async call(method: StoreMethod, args: unknown[]): Promise<unknown> {
    if (this.closed) throw new StoreUnavailableError('the store is closed (the collector is shutting down)', 5);
    const worker = this.worker ?? (await this.start());
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  }

  /** Starts the worker and waits until it has opened the file; a worker that stopped is started again by the next call. */
  private start(): Promise<Worker> {
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(WORKER, { workerData: { path: this.options.path } });
      let ready = false;
      worker.on('message', (message: StoreReply | WorkerStatus) => {
        if ('status' in message) {
          if (message.status === 'ready') {
            ready = true;
            this.worker = worker;
            this.starting = null;
            resolve(worker);
          } else {
            this.starting = null;
            reject(new StoreUnavailableError(`DuckDB could not open ${this.options.path}: ${message.message}`, 30));
          }
          return;
        }
        this.settle(message);
      });
      worker.on('error', (error) => this.stopped(worker, error.message));
      worker.on('exit', (code) => {
        this.stopped(worker, `exit code ${code}`);
        if (!ready) {
          this.starting = null;
          reject(new StoreUnavailableError(`DuckDB could not open ${this.options.path}: its thread stopped (exit code ${code})`, 30));
        }
      });
    });
    return this.starting;
  }

  private settle(reply: StoreReply): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) {
      waiting.resolve(reply.value);
      return;
    }
    const { name, message, retryAfterS } = reply.error;
    waiting.reject(
      name === 'StoreUnavailableError' ? new StoreUnavailableError(message, retryAfterS) : Object.assign(new Error(message), { name }),
    );
  }

  /** The thread is gone: what it had taken gets 503 (nothing of it was acknowledged), and the next call starts a new one. */
  private stopped(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    if (!this.closed) log.error(`collector: the DuckDB thread stopped (${reason}); it is started again at the next request`);
    const error = new StoreUnavailableError(`the DuckDB thread stopped (${reason})`, 5);
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
