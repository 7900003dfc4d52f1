// The collector benchmark's load generator and its CPU accounting. The load generator
// shares the machine with the collector it measures (two cores here), so it must cost
// little: each connection writes a request prepared in advance (HTTP/1.1, kept alive,
// the agent's headers and gzip body) and reads the answer's status line and
// Content-Length body before sending the next. node:http's client costs ~3x the CPU
// per request and took a core's worth from the server at a few thousand requests/s.

import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { CLK_TCK } from './proc-stat.mjs';

/** One POST /v1/reports as bytes, as an agent sends it. */
export function reportRequest(port, gzipBody) {
  const head =
    `POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Encoding: gzip\r\nContent-Length: ${gzipBody.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), gzipBody]);
}

/** Sends every request over `connections` kept-alive connections, one in flight on each; rejects on any answer but 200. */
export async function sendAll(port, requests, connections) {
  let next = 0;
  const connection = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let pending = null;
      const send = () => {
        if (next >= requests.length) {
          socket.end();
          resolve();
          return;
        }
        socket.write(requests[next++]);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
        for (;;) {
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = pending.toString('latin1', 0, end);
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (pending.length < end + 4 + length) return;
          const status = Number(head.slice(9, 12));
          if (status !== 200) {
            socket.destroy();
            reject(new Error(`HTTP ${status}: ${pending.toString('utf8', end + 4, end + 4 + length)}`));
            return;
          }
          pending = pending.length === end + 4 + length ? null : pending.subarray(end + 4 + length);
          send();
          if (pending === null) return;
        }
      });
    });
  await Promise.all(Array.from({ length: Math.min(connections, requests.length) }, connection));
}

function ticks(statText) {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds of a process (all its threads) and of its main thread; null off Linux. */
export function processCpu(pid) {
  try {
    return {
      all: ticks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLK_TCK,
      main: ticks(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')) / CLK_TCK,
      threads: readdirSync(`/proc/${pid}/task`).length,
    };
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine (every process, not only these two); null off Linux. */
export function machineTicks() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - f[4], total };
  } catch {
    return null;
  }
}
