import type { ServerResponse } from 'node:http';

/** Qdrant's response envelope: `{result, status: "ok", time}` or `{status: {error}, time}`. */
export function sendEnvelope(res: ServerResponse, status: number, started: number, body: Record<string, unknown>): void {
  const json = JSON.stringify({ ...body, time: (performance.now() - started) / 1000 });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(json);
}

export function sendError(res: ServerResponse, status: number, started: number, message: string): void {
  sendEnvelope(res, status, started, { status: { error: message } });
}
