import { z } from 'zod';

/** What the delivery pipeline needs to know about a report, read from its own JSON. */
export interface ReportMeta {
  instanceId: string;
  detailsLevel: number;
  /** `delivery.dropped_reports` the report carries (see dropped-counter.ts). */
  droppedReports: number;
  /**
   * `report_id`: made once per report when it is built, so every copy of it (a retry, a
   * resend after a crash) carries the same value and a receiver can keep one. Null for a
   * report written before payload v2 (an old file still in the outbox).
   */
  reportId: string | null;
}

const REPORT_ID = z.uuidv4();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/**
 * Throws when `json` is not a JSON object, or carries a `report_id` that is not a UUID
 * v4: such a body is corrupt, not a report (it goes to corrupt/, never on the wire).
 */
export function reportMeta(json: string): ReportMeta {
  const parsed: unknown = JSON.parse(json);
  if (!isRecord(parsed)) throw new Error('not a JSON object');
  const delivery = parsed['delivery'];
  const level = parsed['details_level'];
  const reportId = parsed['report_id'];
  if (reportId !== undefined && !REPORT_ID.safeParse(reportId).success) {
    throw new Error(`report_id ${JSON.stringify(reportId).slice(0, 60)} is not a UUID v4`);
  }
  return {
    instanceId: typeof parsed['id'] === 'string' ? parsed['id'] : 'unknown',
    detailsLevel: typeof level === 'number' && Number.isInteger(level) ? level : 0,
    droppedReports: isRecord(delivery) ? count(delivery['dropped_reports']) : 0,
    reportId: typeof reportId === 'string' ? reportId : null,
  };
}
