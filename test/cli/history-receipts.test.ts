import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeletionReceipt, HistoryEntry } from '../../main/api.js';
import { Ledger } from '../../main/send/ledger.js';
import { buildOnce } from '../support/build.js';
import { baseEnv, CLI, newBox } from './support.js';
import type { Sandbox } from '../support/temp-dirs.js';

// `candor history` as a person runs it, after `candor request-deletion --send` reached a
// deletion endpoint on 127.0.0.1: --json gives the history call's own shape (the reports
// and the deletion receipts), the text keeps one "deleted on ..." line per receipt.
// The CLI runs as an async child: the endpoint lives in this process and must answer.

const run = promisify(execFile);
const IDS = ['6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'];
/** The collector's clock, far from this machine's: the history must show the collector's time. */
const DELETED_AT = '2026-11-29T18:20:00.000Z';

interface Endpoint {
  url: string;
  /** The deletion requests it took, as sent. */
  requests: { ids: string[]; requested_at: string }[];
  close(): Promise<void>;
}

/**
 * A deletion endpoint. With `rowsPerId` it answers as `candor collector` does
 * ({ids, rows_deleted, deleted_at}, see collector/routes/deletion.ts); without, it answers
 * 204 with no body, as a receiver that keeps no receipt might.
 */
async function deletionEndpoint(rowsPerId: number | null): Promise<Endpoint> {
  const requests: Endpoint['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as { ids: string[]; requested_at: string };
      requests.push(body);
      if (rowsPerId === null) {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ids: body.ids.length, rows_deleted: body.ids.length * rowsPerId, deleted_at: DELETED_AT }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const cleanup = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  closers.push(cleanup);
  return { url: `http://127.0.0.1:${port}/v1/deletion-requests`, requests, close: cleanup };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function candor(box: Sandbox, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, '--data-dir', box.dataDir, ...args], {
    cwd: box.cwd,
    env: baseEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Two reports delivered under two ids (two runs), as the sender records them. */
async function deliveredTwice(box: Sandbox): Promise<void> {
  const ledger = new Ledger({ dir: join(box.dataDir, 'history') });
  for (const [i, id] of IDS.entries())
    await ledger.append(
      { time: `2026-11-2${i + 1}T10:00:00.000Z`, instance_id: id, details_level: 1, bytes: 100 + i, sha256: String(i).repeat(64) },
      `{"id":"${id}"}`,
    );
}

async function historyJson(box: Sandbox): Promise<{ entries: HistoryEntry[]; deletions: DeletionReceipt[] }> {
  const { stdout } = await candor(box, ['history', '--json']);
  return JSON.parse(stdout) as { entries: HistoryEntry[]; deletions: DeletionReceipt[] };
}

beforeAll(() => buildOnce(), 120_000);

describe('candor history with deletion receipts', () => {
  it("--json gives the reports and the collector's receipt; the text says deleted on ...", async () => {
    const box = newBox();
    const endpoint = await deletionEndpoint(3);
    box.writeConfig('config.yaml', `telemetry:\n  deletion_endpoint: ${endpoint.url}\n`);
    await deliveredTwice(box);

    const request = await candor(box, ['request-deletion', '--send']);
    expect(request.stderr).toContain('deletion request: sent');
    expect(endpoint.requests).toHaveLength(1);
    const sent = endpoint.requests[0];
    expect([...(sent?.ids ?? [])].sort()).toEqual([...IDS].sort());

    const history = await historyJson(box);
    expect(Object.keys(history)).toEqual(['entries', 'deletions']);
    expect(history.entries.map((e) => [e.instance_id, e.bytes, e.body_kept])).toEqual(
      expect.arrayContaining([
        [IDS[0], 100, true],
        [IDS[1], 101, true],
      ]),
    );
    expect(history.entries).toHaveLength(2);
    expect(history.deletions).toHaveLength(1);
    const [receipt] = history.deletions;
    expect(receipt).toMatchObject({ requested_at: sent?.requested_at, ids: sent?.ids, deleted_at: DELETED_AT, rows_deleted: 6 });
    expect(Date.parse(receipt?.confirmed_at ?? '')).toBeGreaterThanOrEqual(Date.parse(sent?.requested_at ?? ''));

    const text = (await candor(box, ['history'])).stdout.split('\n');
    for (const id of IDS) expect(text.some((line) => line.includes(id) && /level 1 {2}10[01] bytes/.test(line))).toBe(true);
    expect(text).toContain(
      `deletion request of ${sent?.requested_at} for 2 instance id(s): deleted on ${DELETED_AT} (6 rows at the collector)`,
    );
  });

  it('records a 2xx answer without a receipt as delivered, with nulls, and the text says so', async () => {
    const box = newBox();
    const endpoint = await deletionEndpoint(null);
    box.writeConfig('config.yaml', `telemetry:\n  deletion_endpoint: ${endpoint.url}\n`);
    await deliveredTwice(box);

    expect((await candor(box, ['request-deletion', '--send'])).stderr).toContain('deletion request: sent');
    const { deletions } = await historyJson(box);
    expect(deletions).toHaveLength(1);
    const [receipt] = deletions;
    expect(receipt).toMatchObject({ requested_at: endpoint.requests[0]?.requested_at, deleted_at: null, rows_deleted: null });
    const text = (await candor(box, ['history'])).stdout;
    expect(text).toContain(
      `deletion request of ${receipt?.requested_at} for 2 instance id(s): delivered on ${receipt?.confirmed_at}; the collector sent no receipt\n`,
    );
    expect(text).not.toContain('deleted on');
  });

  it('keeps the receipts when the history is cleared, and does not claim nothing was sent', async () => {
    const box = newBox();
    const endpoint = await deletionEndpoint(1);
    box.writeConfig('config.yaml', `telemetry:\n  deletion_endpoint: ${endpoint.url}\n`);
    await deliveredTwice(box);
    expect((await candor(box, ['request-deletion', '--send'])).stderr).toContain('deletion request: sent');

    expect((await candor(box, ['history', '--clear'])).stdout).toBe('cleared 2 entries\n');
    const history = await historyJson(box);
    expect(history.entries).toEqual([]);
    expect(history.deletions.map((d) => d.rows_deleted)).toEqual([2]);
    const lines = (await candor(box, ['history'])).stdout.split('\n').filter(Boolean);
    expect(lines).toEqual([
      'no delivered report in the history',
      `deletion request of ${endpoint.requests[0]?.requested_at} for 2 instance id(s): deleted on ${DELETED_AT} (2 rows at the collector)`,
    ]);
  });
});
