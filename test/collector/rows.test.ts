import { describe, expect, it } from 'vitest';
import { diskGbFromBytes, ramGibFromBytes, v1Categories } from '../../collector/buckets.js';
import { reportRows, uuidFromDigest } from '../../collector/rows.js';
import { TABLES, type TableName } from '../../collector/store/tables.js';
import { validateWireReport } from '../../collector/validate.js';
import { fleet } from './support/fleet.js';

// Payload -> rows, for schema v1 (exact sizes, free-text vendors, no report_id) and the
// v2 shape of the plan (buckets, categories, histograms, report_id, sources).

const V2 = {
  schema_version: 2,
  id: '2F1B6C9E-0A4B-4C47-9E7D-1B2C3D4E5F60',
  report_id: '9C0D8E7F-6A5B-4C3D-8E2F-1A0B9C8D7E6F',
  anonymized: true,
  details_level: 4,
  generated_at: '2026-11-29T17:31:00.000Z',
  app: { name: 'candor', version: '0.2.0', mode: 'headless', node_version: '20.20.2', electron_version: null },
  delivery: { dropped_reports: 2 },
  system: {
    os: { platform: 'linux', arch: 'x64', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0' },
    cpu: { cores: 2, physical_cores: 2, vendor: 'GenuineIntel', brand: 'Intel Xeon', speed_ghz: 2.59 },
    memory: { total_gib: 24 },
    disks: { devices: [{ type: 'HDD', type_source: 'rotational', size_gb: 256 }] },
    gpus: { devices: [{ vendor: 'other', model: '<model>' }] },
    virtualization: { virtual: true, container: false, hypervisor: 'KVM' },
    displays: { count: 0 },
  },
  performance: {
    timers: {
      candor_collect_ms: {
        count: 9,
        min: 0.412,
        avg: 23.1,
        max: 101,
        p50: 3.2,
        p95: 99.8,
        p99: 101,
        histogram: { layout: 'candor-log-linear-1', index: [215, 301], count: [3, 6] },
      },
    },
    counters: { candor_reports_built: 3 },
  },
  sources: [
    {
      name: 'acme-editor',
      version: '3.2.1',
      sdk: { language: 'nodejs', name: '@opentelemetry/sdk-node', version: '0.55.0' },
      counters: { 'http.server.requests': 120 },
      timers: {
        'http.server.duration': {
          count: 4,
          min: 1,
          avg: 2,
          max: 3,
          p50: 2,
          p95: 3,
          p99: 3,
          histogram: { layout: 'candor-log-linear-1', index: [400], count: [4] },
        },
      },
      errors: {
        captured: [
          {
            source: 'main',
            kind: 'reported',
            type: 'Error',
            code: 'ECONNRESET',
            message: 'socket hang up',
            frames: [{ fn: 'onClose', file: 'node:_http_client', line: 1, col: 2 }],
            count: 2,
            first_seen: '2026-11-29T17:00:00.000Z',
            last_seen: '2026-11-29T17:00:00.000Z',
          },
        ],
        dropped: 0,
      },
      dropped: {},
    },
  ],
  errors: {
    captured: [
      {
        source: 'main',
        kind: 'uncaughtException',
        type: 'TypeError',
        code: null,
        message: "Cannot read properties of undefined (reading '<name>')",
        frames: [
          { fn: 'handle', file: 'dist/main/agent.js', line: 12, col: 5 },
          { fn: '<anonymous>', file: 'node:internal/timers', line: 5, col: 1 },
        ],
        count: 1,
        first_seen: '2026-11-29T17:00:00.000Z',
        last_seen: '2026-11-29T17:00:00.000Z',
      },
    ],
    dropped: 1,
  },
};

function named(table: TableName, row: readonly unknown[] | undefined): Record<string, unknown> {
  return Object.fromEntries(TABLES[table].columns.map((c, i) => [c.name, row?.[i]]));
}

describe('reportRows', () => {
  it('maps a v2 report: buckets and categories as sent, histograms, sources and error groups', () => {
    const item = reportRows(V2, 2, { receivedOn: '2026-11-29', bodyDigest: '' });
    expect(item.reportId).toBe('9c0d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f');
    expect(item.instanceId).toBe('2f1b6c9e-0a4b-4c47-9e7d-1b2c3d4e5f60');
    expect(named('reports', item.rows.reports[0])).toMatchObject({
      received_on: '2026-11-29',
      generated_at: '2026-11-29 17:31:00',
      schema_version: 2,
      app_version: '0.2.0',
      os_platform: 'linux',
      cpu_vendor: 'GenuineIntel',
      cpu_cores: 2,
      ram_gib: 24,
      virtualization: 'vm',
      hypervisor: 'KVM',
      dropped_reports: 2,
      errors_dropped: 1,
    });
    expect(item.rows.disks.map((r) => named('disks', r))).toMatchObject([{ type: 'HDD', size_gb: 256 }]);
    expect(item.rows.gpus.map((r) => named('gpus', r)['vendor'])).toEqual(['other']);
    const timers = item.rows.timers.map((r) => named('timers', r));
    expect(timers).toEqual([
      expect.objectContaining({
        source: '',
        metric: 'candor_collect_ms',
        count: 9,
        min: 0.412,
        max: 101,
        bucket_index: [215, 301],
        bucket_count: [3, 6],
      }),
      expect.objectContaining({ source: 'acme-editor', metric: 'http.server.duration', count: 4, bucket_index: [400], bucket_count: [4] }),
    ]);
    expect(timers[0]?.['sum']).toBeCloseTo(23.1 * 9);
    expect(item.rows.counters.map((r) => named('counters', r))).toMatchObject([
      { source: '', metric: 'candor_reports_built', value: 3 },
      { source: 'acme-editor', metric: 'http.server.requests', value: 120 },
    ]);
    expect(item.rows.sources.map((r) => named('sources', r))).toMatchObject([
      { source: 'acme-editor', version: '3.2.1', sdk_language: 'nodejs', sdk_name: '@opentelemetry/sdk-node', sdk_version: '0.55.0' },
    ]);
    expect(item.rows.errors.map((r) => named('errors', r))).toMatchObject([
      { seq: 0, source: '', version: '0.2.0', type: 'TypeError', code: '', top_frame: 'handle (dist/main/agent.js)', count: 1 },
      {
        seq: 1,
        source: 'acme-editor',
        version: '3.2.1',
        code: 'ECONNRESET',
        message: 'socket hang up',
        top_frame: 'onClose (node:_http_client)',
        count: 2,
      },
    ]);
    // Every row names the report and the instance, for deletion by id.
    for (const rows of Object.values(item.rows))
      for (const row of rows) expect(row.slice(0, 3)).toEqual(['2026-11-29', item.reportId, item.instanceId]);
  });

  it('maps a v1 report: sizes bucketed, vendors folded, the body digest as report id, the top frame from the stack', () => {
    const [first] = fleet({ reports: 1, version: 1, seed: 3 });
    const payload = structuredClone(first?.payload ?? {}) as Record<string, Record<string, unknown>>;
    expect(validateWireReport(payload)).toEqual({ ok: true, version: 1 });
    (payload['system'] as Record<string, unknown>)['memory'] = { total_bytes: 25276500000 };
    (payload['system'] as Record<string, unknown>)['gpus'] = { devices: [{ vendor: 'NVIDIA Corporation', model: 'x' }] };
    (payload['system'] as Record<string, unknown>)['disks'] = {
      devices: [{ type: 'NVMe', type_source: 'diskLayout', size_bytes: 512110190592 }],
    };
    (payload['errors'] as Record<string, unknown>)['captured'] = [
      {
        fingerprint: 'h:0',
        source: 'main',
        kind: 'reported',
        type: 'Error',
        message: 'boom',
        stack: 'Error: boom\n    at Object.load (dist/main/x.js:3:9)\n    at node:internal/main:1:1',
        count: 3,
        first_seen: '2026-11-29T17:00:00.000Z',
        last_seen: '2026-11-29T17:00:00.000Z',
      },
    ];
    const digest = 'f'.repeat(64);
    const item = reportRows(payload, 1, { receivedOn: '2026-11-29', bodyDigest: digest });
    expect(item.reportId).toBe(uuidFromDigest(digest));
    expect(item.reportId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(reportRows(payload, 1, { receivedOn: '2026-11-30', bodyDigest: digest }).reportId).toBe(item.reportId);
    expect(named('reports', item.rows.reports[0])['ram_gib']).toBe(24);
    expect(item.rows.gpus.map((r) => named('gpus', r)['vendor'])).toEqual(['NVIDIA']);
    expect(item.rows.disks.map((r) => named('disks', r)['size_gb'])).toEqual([512]);
    expect(named('reports', item.rows.reports[0])['hypervisor']).toMatch(/^(none|KVM|VMware|Hyper-V)$/);
    expect(named('errors', item.rows.errors[0])).toMatchObject({ top_frame: 'Object.load (dist/main/x.js)', code: '', count: 3 });
    expect(item.rows.timers.every((r) => (named('timers', r)['bucket_index'] as number[]).length === 0)).toBe(true);
  });

  it('reads an unavailable section as unknown', () => {
    const payload = structuredClone(V2) as Record<string, unknown>;
    payload['system'] = {
      os: { unavailable: true, reason: 'timeout' },
      cpu: { unavailable: true, reason: 'x' },
      memory: { unavailable: true, reason: 'x' },
    };
    const row = named('reports', reportRows(payload, 2, { receivedOn: '2026-11-29', bodyDigest: '' }).rows.reports[0]);
    expect(row).toMatchObject({ os_platform: '', cpu_cores: 0, ram_gib: 0, virtualization: '' });
  });
});

describe('v1 sizes and names, in the buckets and categories v2 agents send', () => {
  it.each([
    [7.7 * 2 ** 30, 8],
    [15.5 * 2 ** 30, 16],
    [16 * 2 ** 30, 16],
    [23.5 * 2 ** 30, 24],
    [31.2 * 2 ** 30, 32],
    [0, 0],
  ])('RAM of %d bytes is sold as %d GiB', (bytes, gib) => expect(ramGibFromBytes(bytes)).toBe(gib));

  it.each([
    [256060514304, 256],
    [500107862016, 512],
    [1000204886016, 1024],
    [2000398934016, 2048],
    [21474836480, 32],
  ])('a disk of %d bytes is the %d GB kind', (bytes, gb) => expect(diskGbFromBytes(bytes)).toBe(gb));

  it.each([
    ['NVIDIA Corporation', 'NVIDIA'],
    ['Advanced Micro Devices, Inc. [AMD/ATI]', 'AMD'],
    ['Intel Corporation', 'Intel'],
    ['VMware', 'VMware'],
    ['Some Vendor Ltd.', 'other'],
    ['', ''],
  ])('GPU vendor %j counts as %j', (text, category) => expect(v1Categories.gpuVendor(text)).toBe(category));

  it('folds CPU vendors, distros and hypervisors the same way', () => {
    expect(v1Categories.cpuVendor('AMD')).toBe('AuthenticAMD');
    expect(v1Categories.distro('Microsoft Windows 11 Pro')).toBe('Windows 11');
    expect(v1Categories.hypervisor('')).toBe('none');
  });
});
