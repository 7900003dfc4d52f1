import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenRetrying } from './listen.js';

// The test helper that re-binds a released port: it waits out a brief EADDRINUSE and
// gives up, naming the port, when the port stays taken.

describe('listenRetrying', () => {
  it('waits while the port is taken and listens once it is released', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    const server = createServer();
    let listening = false;
    const bound = listenRetrying(server, port).then(() => (listening = true));
    // The first attempt failed: the holder still has the port.
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(listening).toBe(false);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await bound;
    expect((server.address() as AddressInfo).port).toBe(port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails naming the port when it stays taken', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as AddressInfo;
    await expect(listenRetrying(createServer(), port, '127.0.0.1', 200)).rejects.toThrow(`could not listen on 127.0.0.1:${port}`);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  });
});
