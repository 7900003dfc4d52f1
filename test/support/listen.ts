import type { Server } from 'node:net';

// Tests of "the collector is down, then comes up on the same port" pick a free port,
// release it, and listen on it again later. In between, another process on the machine
// may briefly take it (an outgoing connection's ephemeral port, a parallel test): the
// second listen then retries on EADDRINUSE instead of failing the test.

function listenOnce(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Listens on `host:port`; for a fixed port, retries on EADDRINUSE for up to `timeoutMs`. */
export async function listenRetrying(server: Server, port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await listenOnce(server, port, host);
      return;
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || port === 0 || Date.now() > deadline) {
        throw new Error(
          `could not listen on ${host}:${port}: ${(error as Error).message}${inUse ? ` (still taken after ${timeoutMs} ms)` : ''}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
