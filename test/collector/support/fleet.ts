import { createHash } from 'node:crypto';
import { fleetReports } from '../../../bench/fleet.mjs';
import { reportRows } from '../../../collector/rows.js';
import type { ReportItem } from '../../../collector/store/store.js';

// The bench's seeded fleet, as the collector's tests use it: payloads, and the rows the
// collector makes of them.

export const FLEET_NOW = new Date('2026-11-29T12:00:00Z');

export interface FleetItem {
  payload: Record<string, unknown> & { id: string; schema_version: number };
  receivedOn: string;
  item: ReportItem;
}

export function fleet(options: { reports: number; version: 1 | 2; seed?: number; days?: number; sources?: boolean }): FleetItem[] {
  const out: FleetItem[] = [];
  for (const { payload, receivedOn } of fleetReports({ ...options, now: FLEET_NOW })) {
    const digest = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
    out.push({ payload, receivedOn, item: reportRows(payload, payload.schema_version, { receivedOn, bodyDigest: digest }) });
  }
  return out;
}
