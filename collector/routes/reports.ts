import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJsonBody, parseJson, readBody } from '../http-body.js';
import { sendError, sendJson } from '../respond.js';
import { reportRows } from '../rows.js';
import type { ReportItem } from '../store/store.js';
import { validateWireReport } from '../validate.js';
import type { RouteContext } from './context.js';

// POST /v1/reports: a gzip JSON report from an agent. 200 once the write that holds it
// has returned (also for a report_id already stored: the agent may stop retrying); 400
// with the reason when it is not an anonymized report of a published schema version;
// 429/503 with Retry-After when it should come back later.

export async function postReport(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const wait = ctx.limiter.request();
  if (wait !== null) {
    req.resume();
    sendError(res, 429, 'too many requests', { 'Retry-After': String(wait) });
    return;
  }
  const accepted = accept(ctx, await decodeJsonBody(req, await readBody(req, ctx.limits), ctx.limits));
  if (typeof accepted === 'string') {
    sendError(res, 400, accepted);
    return;
  }
  const instanceWait = ctx.limiter.report(accepted.instanceId);
  if (instanceWait !== null) {
    sendError(res, 429, 'too many reports under this instance id', { 'Retry-After': String(instanceWait) });
    return;
  }
  const outcome = await ctx.batcher.submit(accepted);
  sendJson(res, 200, { report_id: accepted.reportId, stored: outcome === 'stored' });
}

/**
 * The rows of an acceptable report, or why it is refused. Apart from the handler so the
 * body and its parsed form are garbage once this returns: a report waits for its group
 * commit for milliseconds, and a hundred parsed reports kept that long would be moved to
 * the old generation and cost full collections.
 */
function accept(ctx: RouteContext, bytes: Buffer): ReportItem | string {
  const body = parseJson(bytes);
  const verdict = validateWireReport(body);
  if (!verdict.ok) return verdict.reason;
  const hasReportId = typeof (body as Record<string, unknown>)['report_id'] === 'string';
  return reportRows(body, verdict.version, {
    receivedOn: ctx.now().toISOString().slice(0, 10),
    bodyDigest: hasReportId ? '' : createHash('sha256').update(bytes).digest('hex'),
  });
}
