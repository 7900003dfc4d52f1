import { describe, expect, it } from 'vitest';
import { reportMeta } from '../../main/send/report-meta.js';

const report = (extra: Record<string, unknown>): string =>
  JSON.stringify({
    schema_version: 2,
    id: '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
    details_level: 3,
    delivery: { dropped_reports: 2 },
    ...extra,
  });

describe('reportMeta', () => {
  it('reads the instance id, level, carried drops and report_id', () => {
    expect(reportMeta(report({ report_id: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' }))).toEqual({
      instanceId: '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
      detailsLevel: 3,
      droppedReports: 2,
      reportId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
    });
  });

  it('gives no report_id for a report written before payload v2', () => {
    expect(reportMeta(report({ schema_version: 1 })).reportId).toBeNull();
  });

  it.each([
    ['a UUID of another version (v1)', 'c232ab00-9414-11ec-b3c8-9f68deced846'],
    ['a UUID without dashes', '1b9d6bcdbbfd4b2d9b5dab8dfbbd4bed'],
    ['text', 'report-7'],
    ['a header injection', '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed\r\nX-Evil: 1'],
    ['a number', 7],
    ['null', null],
  ])('refuses a report_id that is %s, naming the field', (_name, value) => {
    expect(() => reportMeta(report({ report_id: value }))).toThrow(/^report_id .* is not a UUID v4$/);
  });
});
