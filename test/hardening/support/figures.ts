import { appendFileSync } from 'node:fs';

/**
 * The numbers docs/reliability.md quotes (cases tried, faults injected, reports
 * produced / delivered / dropped). Written only when CANDOR_FIGURES names a file, as one
 * JSON line per suite, so `npm test` stays quiet.
 */
export function recordFigures(suite: string, figures: Record<string, number | string>): void {
  const file = process.env['CANDOR_FIGURES'];
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ suite, ...figures })}\n`);
}
