// Report bodies for the delivery tests: payload-shaped as far as the pipeline reads them
// (id, details_level, delivery.dropped_reports), plus a serial number `n` the tests
// account by.

export interface TestReport {
  n: number;
  dropped: number;
}

/** A distinct, valid v4-shaped id per report, so ledger entries name their report. */
export function reportId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function reportJson(n: number, dropped = 0): string {
  return JSON.stringify({
    schema_version: 1,
    id: reportId(n),
    details_level: 1,
    generated_at: '2026-01-01T00:00:00.000Z',
    delivery: { dropped_reports: dropped },
    n,
    padding: 'x'.repeat(64),
  });
}

/** The serial and carried drop count of a report body, or null when it is not one of ours. */
export function parseReport(text: string): TestReport | null {
  try {
    const value = JSON.parse(text) as { n?: unknown; delivery?: { dropped_reports?: unknown } };
    if (typeof value.n !== 'number') return null;
    const dropped = value.delivery?.dropped_reports;
    return { n: value.n, dropped: typeof dropped === 'number' ? dropped : 0 };
  } catch {
    return null;
  }
}
