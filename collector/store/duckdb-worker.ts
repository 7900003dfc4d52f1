import { parentPort, workerData } from 'node:worker_threads';
import { DuckDbStore } from './duckdb.js';
import type { Store } from './store.js';

// The DuckDB store on its own thread (collector/store/duckdb-thread.ts starts it): the
// appender's conversions and flushes, the commits and the aggregate queries run here,
// so the collector's event loop keeps to HTTP and validation. Messages in:
// { id, method, args }; out: { id, ok, value } or { id, ok: false, error }.

export type StoreMethod = 'insert' | 'deleteInstances' | 'countRows' | 'instanceReports' | 'aggregateInputs' | 'removeBefore' | 'close';

export interface StoreCall {
  id: number;
  method: StoreMethod;
  args: unknown[];
}

export type StoreReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string; retryAfterS?: number } };

export type WorkerStatus = { status: 'ready' } | { status: 'failed'; message: string };

const port = parentPort;
if (port === null) throw new Error('duckdb-worker.js runs as a worker thread');
const { path } = workerData as { path: string };

let store: Store;
try {
  store = await DuckDbStore.open({ path });
} catch (error) {
  port.postMessage({ status: 'failed', message: (error as Error).message } satisfies WorkerStatus);
  port.close();
  throw error;
}
port.postMessage({ status: 'ready' } satisfies WorkerStatus);

port.on('message', (call: StoreCall) => {
  const method = store[call.method] as (...args: unknown[]) => Promise<unknown>;
  method.apply(store, call.args).then(
    (value) => port.postMessage({ id: call.id, ok: true, value } satisfies StoreReply),
    (error: unknown) => {
      const e = error as Error & { retryAfterS?: number };
      port.postMessage({
        id: call.id,
        ok: false,
        error: { name: e.name, message: e.message, ...(typeof e.retryAfterS === 'number' ? { retryAfterS: e.retryAfterS } : {}) },
      } satisfies StoreReply);
    },
  );
});
