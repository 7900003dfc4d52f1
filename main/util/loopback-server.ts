import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// What every HTTP server of Candor's does the same way: it listens on 127.0.0.1 only,
// answers a request node:http refuses itself (malformed headers, a header block over
// 16 KB) with JSON rather than a bare reset, bounds slow clients, and closes with its
// connections.

/**
 * Requests node:http cannot parse get `body(code)` as a JSON answer (400, or 431 for a
 * header block too large); `onRefused` hears of each.
 */
export function answerClientErrors(server: Server, body: (code: string) => string, onRefused?: () => void): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    onRefused?.();
    const code = error.code ?? error.message;
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    const text = body(code);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
}

/** Listens on 127.0.0.1 and resolves with the port (a free one for 0); rejects with the listen error. */
export function listenLoopback(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and ends every open connection (keep-alive and event streams included). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
