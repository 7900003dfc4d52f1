// Which reports the collector takes: anonymized ones that pass the published schema of
// the version they name (main/report/published.ts: every published version, and for the
// current one a check that the anonymizer would change nothing).

export { validateWireReport } from '../main/report/published.js';
