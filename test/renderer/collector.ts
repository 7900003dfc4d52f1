import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

// A real collector on 127.0.0.1 that records what the agent delivers.
//
// Its answer to a deletion request (path /deletion) is chosen per test:
// - 'plain' (default): 200 with `{}`, an answer that holds no receipt;
// - 'receipt': it plays `candor collector` (collector/routes/deletion.ts): it deletes the
//   reports it holds under those ids and answers {ids, rows_deleted, deleted_at}, with
//   `deletedAt` as its clock;
// - 'no-body': 204 with no body at all;
// - 'unavailable': 503 with Retry-After once (the agent keeps the request queued), then `then`.

export interface Received {
  path: string;
  body: unknown;
}

export type DeletionAnswer =
  { kind: 'plain' } | { kind: 'receipt'; deletedAt: string } | { kind: 'no-body' } | { kind: 'unavailable'; then: DeletionAnswer };

export interface Collector {
  url: string;
  received: Received[];
  deletionAnswer: DeletionAnswer;
  /** Reports held per instance id (the rows a deletion would remove). */
  held(id: string): number;
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const received: Received[] = [];
  /** One entry per report held, by its instance id. */
  let reports: string[] = [];
  const collector = {
    url: '',
    received,
    deletionAnswer: { kind: 'plain' } as DeletionAnswer,
    held: (id: string) => reports.filter((each) => each === id).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  function deletionAnswer(body: unknown): { status: number; text: string } {
    const answer = collector.deletionAnswer;
    if (answer.kind === 'unavailable') {
      collector.deletionAnswer = answer.then;
      return { status: 503, text: '{"error": "the store is unavailable, try again"}' };
    }
    if (answer.kind === 'plain') return { status: 200, text: '{}' };
    if (answer.kind === 'no-body') return { status: 204, text: '' };
    const ids = new Set((body as { ids?: string[] } | null)?.ids ?? []);
    const before = reports.length;
    reports = reports.filter((id) => !ids.has(id));
    return { status: 200, text: JSON.stringify({ ids: ids.size, rows_deleted: before - reports.length, deleted_at: answer.deletedAt }) };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const path = req.url ?? '/';
      const body = text === '' ? null : (JSON.parse(text) as unknown);
      received.push({ path, body });
      if (path === '/deletion') {
        const answer = deletionAnswer(body);
        const headers: Record<string, string> = answer.text === '' ? {} : { 'Content-Type': 'application/json' };
        if (answer.status === 503) headers['Retry-After'] = '1';
        res.writeHead(answer.status, headers);
        res.end(answer.text);
        return;
      }
      const id = (body as { id?: unknown } | null)?.id;
      if (typeof id === 'string') reports.push(id);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  collector.url = `http://127.0.0.1:${port}`;
  return collector;
}
