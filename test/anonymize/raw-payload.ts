import type { Payload } from '../../main/report/payload-schema.js';

// A full raw payload (level 4, as collected) with identifying strings planted where
// the real collectors could let them in, and keys the schema does not declare.

export const IDENTIFYING = [
  'bob',
  'Bob Smith',
  'bob-laptop',
  '/home/bob',
  '10.1.2.3',
  'fe80::dead:beef',
  'bob@example.com',
  'secret-cluster-eu',
  'telemetry.acme-corp.example',
  'SERIAL-XYZ-123',
  '00:1a:2b:3c:4d:5e',
  '/etc/candor/bob.yaml',
  'C:\\Users\\bob',
  'token=hunter2',
  '123e4567-e89b-12d3-a456-426614174000',
  'tenant-acme',
  'eyJhbGciOiJIUzI1NiJ9',
];

export const INJECTED_POINTERS = [
  '/hostname',
  '/system/cpu/serial',
  '/system/disks/devices/0/serial',
  '/system/os/hostname',
  '/instance/api_token',
  '/performance/detail/0/pid',
  '/errors/captured/0/env',
];

export function rawPayload(): Payload {
  const raw = {
    schema_version: 2,
    id: '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
    report_id: '0b5e5c2a-7d41-4c8e-9f3a-2b6d1e8c4a70',
    anonymized: false,
    details_level: 4,
    generated_at: '2026-11-25T14:37:12.345Z',
    hostname: 'bob-laptop',
    app: { name: 'candor', version: '0.1.0', mode: 'desktop', node_version: '20.20.2', electron_version: null },
    delivery: { dropped_reports: 0 },
    system: {
      os: { platform: 'linux', arch: 'x64', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-18-amd64', hostname: 'bob-laptop' },
      cpu: {
        cores: 8,
        physical_cores: 4,
        vendor: 'GenuineIntel',
        brand: 'Intel(R) Core(TM) i7-8550U',
        speed_ghz: 1.8,
        serial: 'SERIAL-XYZ-123',
        flags: {
          sse: true,
          sse2: true,
          avx: true,
          avx2: true,
          fma: true,
          f16c: true,
          avx512f: false,
          avx512vl: false,
          avx512vpopcntdq: false,
          neon: false,
          fp16: false,
        },
      },
      memory: { total_gib: 15.559_295_654_296_875 },
      disks: {
        devices: [
          { type: 'NVMe', type_source: 'diskLayout', size_gb: 512.110_190_592, serial: 'SERIAL-XYZ-123' },
          { type: 'HDD', type_source: 'rotational', size_gb: 1000.204_886_016 },
        ],
      },
      gpus: { unavailable: true, reason: 'lspci failed: /home/bob/bin/lspci: permission denied for bob on bob-laptop' },
      virtualization: { virtual: false, container: false, hypervisor: '' },
      displays: { count: 1 },
    },
    instance: {
      details_level: 4,
      sampling_interval_s: 5,
      send_interval_s: 86_407,
      first_delay_s: 300,
      endpoint_configured: true,
      deletion_endpoint_configured: false,
      run_mode: 'secret-cluster-eu',
      log_level: 'info',
      http_port: 'custom',
      config_layers: ['config.yaml', 'config-path'],
      switches: {
        env_disabled: false,
        config_disabled: false,
        cli_disabled: false,
        do_not_track: false,
        user_disabled: false,
        paused: false,
        consent: 'granted',
      },
      api_token: 'hunter2',
    },
    performance: {
      timers: { candor_report_build_ms: { count: 1_234_567, min: 0.5, avg: 2.25, max: 1_999_999.75, p50: 2, p95: 5, p99: 9 } },
      counters: { candor_reports_built: 12_345_678 },
      load: {
        samples: 120,
        window_s: 600,
        cpu_pct: { min: 1, avg: 12.5, max: 99.9, p95: 80 },
        mem_used_pct: null,
        disk_read_bps: { min: 0, avg: 1_234_567.8, max: 98_765_432, p95: 5_000_000 },
        disk_write_bps: null,
        load_avg_1m: null,
      },
      detail: [
        {
          name: 'candor_upload_ms',
          kind: 'histogram',
          labels: { route: '/status' },
          hashed_labels: { endpoint: 'telemetry.acme-corp.example', tenant: 'tenant-acme' },
          stats: { count: 3, min: 1, avg: 2, max: 3, p50: 2, p95: 3, p99: 3 },
          pid: 4242,
        },
        { name: 'candor_reports_built', kind: 'counter', labels: {}, hashed_labels: {}, value: 7 },
      ],
      recent_samples: [
        { age_s: 0, cpu_pct: 12.5, mem_used_pct: null },
        { age_s: 5, cpu_pct: null, mem_used_pct: 40.25 },
      ],
    },
    errors: {
      captured: [
        {
          fingerprint: 'TypeError|agent.js:12',
          source: 'main',
          kind: 'uncaughtException',
          type: 'TypeError',
          code: 'ECONNREFUSED',
          message:
            'connect to 10.1.2.3 and [fe80::dead:beef] as bob@example.com failed for Bob Smith (request 123e4567-e89b-12d3-a456-426614174000)',
          frames: [
            { fn: 'run', file: '/home/bob/candor/main/agent.js', line: 12, col: 3 },
            { fn: '<anonymous>', file: 'C:\\Users\\bob\\AppData\\x.js', line: 1, col: 1 },
            { fn: 'async processTicksAndRejections', file: 'node:internal/process/task_queues', line: 95, col: 5 },
          ],
          stack:
            'TypeError: boom\n    at run (/home/bob/candor/main/agent.js:12:3)\n    at C:\\Users\\bob\\AppData\\x.js:1:1\n    at node:internal/process/task_queues:95:5',
          count: 3,
          first_seen: '2026-11-25T13:05:59.999Z',
          last_seen: '2026-11-25T14:37:12.345Z',
          env: { HOME: '/home/bob', TOKEN: 'eyJhbGciOiJIUzI1NiJ9' },
        },
        {
          fingerprint: 'Error|x',
          source: 'renderer',
          kind: 'reported',
          type: 'Error',
          code: null,
          message: 'mac 00:1a:2b:3c:4d:5e seen on bob-laptop',
          frames: [],
          stack: '',
          count: 1,
          first_seen: '2026-11-25T14:00:00.000Z',
          last_seen: '2026-11-25T14:00:00.000Z',
        },
      ],
      dropped: 0,
    },
  };
  // The planted extras are exactly what the type forbids: that is the point.
  return raw as unknown as Payload;
}
