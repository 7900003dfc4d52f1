import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Runs test/intake/support/otel-app.mjs (the real OpenTelemetry SDK) with a scenario
// and returns what its exporters reported.

export interface ExportResult {
  /** 0 = SUCCESS, 1 = FAILED (the SDK's ExportResultCode). */
  code: number;
  error: string | null;
  ms?: number;
}

export interface AppResults {
  metrics: ExportResult[];
  logs: ExportResult[];
  traces: ExportResult[];
}

export interface Scenario {
  url: string;
  protocol: 'json' | 'protobuf';
  gzip?: boolean;
  resource: Record<string, string | number | boolean>;
  temporality?: 'cumulative' | 'delta';
  exponential?: boolean;
  bounds?: number[];
  rounds?: Round[];
  traces?: number;
}

export interface Round {
  counters?: { name: string; unit?: string; value: number; attributes?: Record<string, string | number | boolean> }[];
  histograms?: { name: string; unit?: string; values: number[]; attributes?: Record<string, string | number | boolean> }[];
  gauges?: { name: string; value: number }[];
  logs?: {
    severity: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
    body?: string;
    attributes?: Record<string, string | number | boolean>;
    exception?: { name: string; message: string; stack?: string };
  }[];
}

const APP = fileURLToPath(new URL('./otel-app.mjs', import.meta.url));

export function runApp(scenario: Scenario, env: NodeJS.ProcessEnv = {}): Promise<AppResults> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APP, JSON.stringify(scenario)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No OTEL_* from the developer's shell: the scenario says everything.
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`otel-app exited ${code}: ${err.slice(-3000)}`));
      else resolve(JSON.parse(line) as AppResults);
    });
  });
}
