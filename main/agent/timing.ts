import { calls } from '../api.js';
import type { Counter, Histogram, MetricsRegistry } from '../collect/metrics.js';
import { SYSTEM_CALLS } from '../collect/system.js';

// Candor's own performance counters: the timers and counters its reports carry.

export interface AgentTiming {
  collect: Histogram;
  report: Histogram;
  anonymize: Histogram;
  upload: Histogram;
  reports: Counter;
}

export function agentTiming(registry: MetricsRegistry): AgentTiming {
  return {
    collect: registry.histogram('candor_collect_ms', 'Duration of one system information call.', { labels: { collector: SYSTEM_CALLS } }),
    report: registry.histogram('candor_report_build_ms', 'Time to build and anonymize one report.'),
    anonymize: registry.histogram('candor_anonymize_ms', 'Time to cut one report to its level, anonymize and validate it.'),
    upload: registry.histogram('candor_upload_ms', 'Duration of one delivery attempt.'),
    reports: registry.counter('candor_reports_built', 'Reports built (previews and sends).'),
  };
}

/** The local API's routes: the contract's paths and the three routes outside it. */
export const API_ROUTES: readonly string[] = [...Object.values(calls).map((c) => c.http.path), '/telemetry', '/metrics', '/events'];

/** Local API request time by route (declared, so routes leave as categories). */
export function apiRequestTimer(registry: MetricsRegistry): Histogram {
  return registry.histogram('candor_api_request_ms', 'Local API request handling time.', { labels: { route: API_ROUTES } });
}
