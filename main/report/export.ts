import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Payload } from './payload-schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * Pretty JSON of a payload. A raw export says so in its top-level `anonymized: false`
 * (and its file name); it stays schema-valid so the same tools read both kinds.
 */
export function reportJson(payload: Payload): string {
  return `${JSON.stringify(payload, null, 2)}\n`;
}

export function suggestedExportName(payload: Payload, now: Date = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `candor-report-L${payload.details_level}${payload.anonymized ? '' : '-RAW'}-${stamp}.json`;
}

/** Atomic (temp + rename) so a reader never sees half a report. */
export async function exportReportFile(path: string, payload: Payload): Promise<{ path: string; bytes: number }> {
  const json = reportJson(payload);
  mkdirSync(dirname(path), { recursive: true });
  await writeFileAtomic(path, json, { mode: 0o600 });
  return { path, bytes: Buffer.byteLength(json) };
}
