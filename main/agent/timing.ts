import type { Counter, Histogram, MetricsRegistry } from '../collect/metrics.js';

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
    collect: registry.histogram('candor_collect_ms', 'Duration of one system information call.'),
    report: registry.histogram('candor_report_build_ms', 'Time to build and anonymize one report.'),
    anonymize: registry.histogram('candor_anonymize_ms', 'Time to cut one report to its level, anonymize and validate it.'),
    upload: registry.histogram('candor_upload_ms', 'Duration of one delivery attempt.'),
    reports: registry.counter('candor_reports_built', 'Reports built (previews and sends).'),
  };
}
