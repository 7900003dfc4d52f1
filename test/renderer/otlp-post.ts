import { request } from 'node:http';

// A small OTLP/JSON metrics request, posted the way an app's SDK exporter posts it
// (POST /v1/metrics, application/json), so a source appears at the agent's intake.

export interface AppMetrics {
  /** The counter `jobs.done`, with one series labelled by `route`. */
  jobs: number;
  route: string;
  /** Values of the histogram `checkout.duration` (ms), in buckets bounded at 5, 20 and 100. */
  durations: number[];
}

const BOUNDS = [5, 20, 100];
const attribute = (key: string, value: string): object => ({ key, value: { stringValue: value } });

export function metricsBody(service: string, version: string, metrics: AppMetrics): string {
  const buckets = [0, 0, 0, 0];
  for (const value of metrics.durations) {
    const found = BOUNDS.findIndex((bound) => value <= bound);
    const index = found === -1 ? BOUNDS.length : found;
    buckets[index] = (buckets[index] ?? 0) + 1;
  }
  const time = { startTimeUnixNano: '1700000000000000000', timeUnixNano: '1700000060000000000' };
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [attribute('service.name', service), attribute('service.version', version)] },
        scopeMetrics: [
          {
            scope: { name: 'candor-test' },
            metrics: [
              {
                name: 'jobs.done',
                unit: '1',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ attributes: [attribute('route', metrics.route)], ...time, asInt: String(metrics.jobs) }],
                },
              },
              {
                name: 'checkout.duration',
                unit: 'ms',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      attributes: [],
                      ...time,
                      count: String(metrics.durations.length),
                      sum: metrics.durations.reduce((a, b) => a + b, 0),
                      bucketCounts: buckets.map(String),
                      explicitBounds: BOUNDS,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Posts to the intake on 127.0.0.1:`port`; resolves with the HTTP status (200 when taken). */
export function postMetrics(port: number, service: string, version: string, metrics: AppMetrics): Promise<number> {
  const body = Buffer.from(metricsBody(service, version, metrics));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/metrics',
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The intake's port, from the agent's own log line. */
export function intakePortFromLog(lines: readonly string[]): number | null {
  for (const line of lines) {
    const match = /OpenTelemetry intake: http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
    if (match) return Number(match[1]);
  }
  return null;
}
