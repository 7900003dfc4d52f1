import { BadRequest, reject, type IngestDeps, type IngestOutcome } from './ingest-metrics.js';
import { enumNumber, isObj, list, stringOf } from './otlp-values.js';
import { readIdentity } from './resource-identity.js';

// Walks an ExportLogsServiceRequest into the sources' error lists. A record is an error
// when its severity is ERROR or above, or when it carries `exception.*` attributes (an
// exception logged at any level). It becomes a RAW error input { type, message, stack }:
// type from exception.type, message from exception.message or else a string body,
// stack from exception.stacktrace. The report builds what leaves from these through
// the error allow-list, like Candor's own errors. Every other record is only counted
// (`not_collected_log`): log text is free text and is not collected.

export const SEVERITY_ERROR = 17;

const SEVERITY: Readonly<Record<string, number>> = (() => {
  const names: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
  const levels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  levels.forEach((level, i) => {
    names[`SEVERITY_NUMBER_${level}`] = i * 4 + 1;
    for (let k = 2; k <= 4; k++) names[`SEVERITY_NUMBER_${level}${k}`] = i * 4 + k;
  });
  return names;
})();

interface ErrorParts {
  type: string | null;
  message: string | null;
  stack: string | null;
  exception: boolean;
}

function exceptionParts(attributes: readonly unknown[]): ErrorParts {
  const parts: ErrorParts = { type: null, message: null, stack: null, exception: false };
  for (const kv of attributes) {
    if (!isObj(kv)) continue;
    const key = kv['key'];
    if (typeof key !== 'string' || !key.startsWith('exception.')) continue;
    parts.exception = true;
    const value = stringOf(kv['value']);
    if (key === 'exception.type') parts.type = value;
    else if (key === 'exception.message') parts.message = value;
    else if (key === 'exception.stacktrace') parts.stack = value;
  }
  return parts;
}

function recordsOf(scopes: readonly unknown[] | null): number {
  let n = 0;
  for (const scope of scopes ?? []) {
    const records = isObj(scope) ? list(scope['logRecords']) : null;
    n += records === null ? 1 : records.length;
  }
  return n;
}

export function ingestLogs(request: unknown, deps: IngestDeps): IngestOutcome {
  if (!isObj(request)) throw new BadRequest('the body is not an ExportLogsServiceRequest object');
  const resources = list(request['resourceLogs']);
  if (resources === null) throw new BadRequest('resourceLogs must be an array');
  const outcome: IngestOutcome = { accepted: 0, rejected: 0, message: '' };
  for (let r = 0; r < resources.length; r++) {
    const rl = resources[r];
    if (!isObj(rl)) {
      reject(outcome, 1, `resourceLogs[${r}] is not an object`);
      continue;
    }
    const scopes = list(rl['scopeLogs']);
    if (scopes === null) {
      reject(outcome, 1, `resourceLogs[${r}].scopeLogs must be an array`);
      continue;
    }
    const identity = readIdentity(rl['resource'], deps.names);
    if (!identity.ok) {
      const n = recordsOf(scopes);
      deps.registry.countRefused(identity.reason, n);
      reject(outcome, n, identity.message);
      continue;
    }
    const sink = deps.registry.sink(identity.identity);
    if (sink === null || sink.store === null) {
      const n = recordsOf(scopes);
      if (sink === null) deps.registry.countRefused('too_many_sources', n);
      else if (sink.state !== 'denied') deps.registry.countRefused('memory_limit', n);
      sink?.received(0, n, 0);
      outcome.accepted += n;
      continue;
    }
    const store = sink.store;
    let records = 0;
    let errors = 0;
    for (let s = 0; s < scopes.length; s++) {
      const scope = scopes[s];
      const logRecords = isObj(scope) ? list(scope['logRecords']) : null;
      if (logRecords === null) {
        reject(outcome, 1, `resourceLogs[${r}].scopeLogs[${s}] is not a ScopeLogs object`);
        continue;
      }
      for (let i = 0; i < logRecords.length; i++) {
        const record = logRecords[i];
        records++;
        const attributes = isObj(record) ? list(record['attributes']) : null;
        const severity = isObj(record) ? enumNumber(record['severityNumber'], SEVERITY) : NaN;
        if (!isObj(record) || attributes === null || Number.isNaN(severity)) {
          reject(outcome, 1, `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}] is not a valid LogRecord`);
          continue;
        }
        outcome.accepted++;
        const parts = exceptionParts(attributes);
        if (severity < SEVERITY_ERROR && !parts.exception) {
          store.count('not_collected_log');
          continue;
        }
        errors++;
        store.recordError(parts.type ?? 'Error', parts.message ?? stringOf(record['body']) ?? '', parts.stack ?? '');
      }
    }
    sink.received(0, records, errors);
  }
  return outcome;
}
