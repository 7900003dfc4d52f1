/** What the delivery pipeline needs to know about a report, read from its own JSON. */
export interface ReportMeta {
  instanceId: string;
  detailsLevel: number;
  /** `delivery.dropped_reports` the report carries (see dropped-counter.ts). */
  droppedReports: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/** Throws when `json` is not a JSON object: such a body is corrupt, not a report. */
export function reportMeta(json: string): ReportMeta {
  const parsed: unknown = JSON.parse(json);
  if (!isRecord(parsed)) throw new Error('not a JSON object');
  const delivery = parsed['delivery'];
  const level = parsed['details_level'];
  return {
    instanceId: typeof parsed['id'] === 'string' ? parsed['id'] : 'unknown',
    detailsLevel: typeof level === 'number' && Number.isInteger(level) ? level : 0,
    droppedReports: isRecord(delivery) ? count(delivery['dropped_reports']) : 0,
  };
}
