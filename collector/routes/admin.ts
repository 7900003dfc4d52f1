import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenMatches } from '../../main/util/bearer-token.js';
import { computeAggregates, type Aggregates } from '../aggregates.js';
import { aggregatesCsv } from '../export-csv.js';
import { BodyError } from '../http-body.js';
import { sendError, sendJson, sendText } from '../respond.js';
import { isCanonicalUuid, type AggregateWindow } from '../store/store.js';
import type { RouteContext } from './context.js';

// The admin API: GET /v1/aggregates (JSON), GET /v1/aggregates.csv, GET /v1/instances/{id}.
// A bearer token, compared in constant time; a request from a web page of another
// origin is refused (the dashboard at / is the only page meant to call these).

export function authorized(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): boolean {
  if (!tokenMatches(req.headers.authorization, ctx.adminToken)) {
    sendError(
      res,
      401,
      'missing or wrong Authorization: Bearer <admin token> (collector.admin_token, or the file the collector printed at start)',
      {
        'WWW-Authenticate': 'Bearer realm="candor-collector"',
      },
    );
    return false;
  }
  const origin = req.headers.origin;
  const host = req.headers.host ?? '';
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`) {
    sendError(res, 403, 'requests from another origin are not accepted');
    return false;
  }
  return true;
}

const MAX_DAYS = 36_500;

/** ?days=N (the last N days of arrival, today included) or ?since=YYYY-MM-DD; neither means everything retained. */
export function parseWindow(query: URLSearchParams, now: Date): AggregateWindow {
  for (const key of query.keys())
    if (key !== 'days' && key !== 'since') throw new BodyError(`unknown query parameter ${JSON.stringify(key)} (days or since)`, 400);
  const days = query.get('days');
  const since = query.get('since');
  if (days !== null && since !== null) throw new BodyError('give days or since, not both', 400);
  if (days !== null) {
    if (!/^\d{1,5}$/.test(days) || Number(days) < 1 || Number(days) > MAX_DAYS)
      throw new BodyError(`days must be an integer from 1 to ${MAX_DAYS}`, 400);
    const first = new Date(now.getTime() - (Number(days) - 1) * 86_400_000);
    return { since: first.toISOString().slice(0, 10) };
  }
  if (since !== null) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(`${since}T00:00:00Z`)))
      throw new BodyError('since must be a day, YYYY-MM-DD', 400);
    return { since };
  }
  return { since: null };
}

async function aggregates(ctx: RouteContext, query: URLSearchParams): Promise<Aggregates> {
  const window = parseWindow(query, ctx.now());
  return computeAggregates(await ctx.store.aggregateInputs(window), { minGroupSize: ctx.minGroupSize, window });
}

export async function getAggregates(ctx: RouteContext, _req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  sendJson(res, 200, await aggregates(ctx, query));
}

export async function getAggregatesCsv(
  ctx: RouteContext,
  _req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  sendText(res, 200, 'text/csv; charset=utf-8', aggregatesCsv(await aggregates(ctx, query)), {
    'Content-Disposition': 'attachment; filename="candor-aggregates.csv"',
  });
}

export async function getInstance(ctx: RouteContext, res: ServerResponse, id: string): Promise<void> {
  const canonical = id.toLowerCase();
  if (!isCanonicalUuid(canonical)) throw new BodyError(`${JSON.stringify(id)} is not an instance id (a UUID)`, 400);
  sendJson(res, 200, { reports: await ctx.store.instanceReports(canonical) });
}
