import type { IncomingMessage, ServerResponse } from 'node:http';
import { log } from '../../main/util/log.js';
import { BodyError, decodeJsonBody, parseJson, readBody } from '../http-body.js';
import { sendError, sendJson } from '../respond.js';
import { isCanonicalUuid, StoreUnavailableError } from '../store/store.js';
import type { RouteContext } from './context.js';

// POST /v1/deletion-requests: {"type": "deletion-request", "ids": [...], "requested_at": ISO}.
// Reports still waiting to be written go first, then every row of those ids goes from
// every table, then the store is asked again: the receipt is sent only when no row of
// them is left. The log says how many ids and rows, never which ids.

export interface DeletionReceipt {
  ids: number;
  rows_deleted: number;
  deleted_at: string;
}

export const MAX_DELETION_IDS = 10_000;

function parseDeletion(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BodyError('the body is not a JSON object', 400);
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => !['type', 'ids', 'requested_at'].includes(key));
  if (extra.length > 0) throw new BodyError(`unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`, 400);
  if (record['type'] !== 'deletion-request') throw new BodyError('"type" must be "deletion-request"', 400);
  if (typeof record['requested_at'] !== 'string' || Number.isNaN(Date.parse(record['requested_at'])))
    throw new BodyError('"requested_at" must be an ISO time', 400);
  const ids = record['ids'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_DELETION_IDS)
    throw new BodyError(`"ids" must be a list of 1 to ${MAX_DELETION_IDS} instance ids`, 400);
  const out = new Set<string>();
  for (const [i, id] of ids.entries()) {
    const canonical = typeof id === 'string' ? id.toLowerCase() : '';
    if (!isCanonicalUuid(canonical)) throw new BodyError(`"ids"[${i}] is not a UUID`, 400);
    out.add(canonical);
  }
  return [...out];
}

export async function postDeletion(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const wait = ctx.limiter.request();
  if (wait !== null) {
    req.resume();
    sendError(res, 429, 'too many requests', { 'Retry-After': String(wait) });
    return;
  }
  const ids = parseDeletion(parseJson(await decodeJsonBody(req, await readBody(req, ctx.limits), ctx.limits)));
  await ctx.batcher.flush();
  const outcome = await ctx.store.deleteInstances(ids);
  if (outcome.remaining > 0) {
    log.error(
      `collector: deletion request for ${ids.length} id(s): ${outcome.remaining} row(s) still there after deleting; the agent will retry`,
    );
    throw new StoreUnavailableError(`${outcome.remaining} rows of these ids are still stored; try again`, 60);
  }
  const receipt: DeletionReceipt = { ids: ids.length, rows_deleted: outcome.rowsDeleted, deleted_at: ctx.now().toISOString() };
  log.info(`collector: deletion request for ${ids.length} id(s): ${outcome.rowsDeleted} row(s) deleted, none left`);
  sendJson(res, 200, receipt);
}
