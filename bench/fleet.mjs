// A realistic fleet of Candor agents, as a collector sees it: seeded, so every run and
// every test gets the same reports. Used by `npm run bench` (collector area) and the
// collector's tests.
//
// What makes it a fleet rather than random rows:
// - machines: OS/arch/CPU/RAM/disk/GPU mixes close to public hardware surveys (Steam,
//   Stack Overflow), with the correlations that matter (Apple CPU only on darwin arm64,
//   containers and VMs mostly on Linux servers, more cores with more RAM);
// - instances: an id per agent start. Desktops restart daily (a few to a few dozen hourly
//   reports per id), servers run for weeks (hundreds); starts spread over `days`;
// - versions: Candor and each app roll out over time (newer versions on later starts);
// - timers and counters cumulative since the start, histograms built from per-machine
//   log-normal latencies (slow machines are slow at everything);
// - errors: a Zipf-distributed catalogue of real-looking templates, most instances none.
//
// Reports of schema v1 (validated today) or v2 (histograms, report_id, sources, new error
// shape: the PLAN's example), selected with `version`.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** mulberry32: small, seeded, fast. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(random, weighted) {
  const total = weighted.reduce((a, [, w]) => a + w, 0);
  let r = random() * total;
  for (const [value, w] of weighted) {
    r -= w;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

function normal(random) {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function uuidFrom(random) {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(random() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const CANDOR_VERSIONS = ['0.1.0', '0.1.1', '0.2.0', '0.2.1', '0.3.0'];
const NODE_VERSIONS = ['20.18.0', '20.19.1', '20.20.2', '22.12.0'];

const PLATFORMS = [
  ['win32', 58],
  ['darwin', 22],
  ['linux', 20],
];
const DISTROS = [
  ['Ubuntu', 45],
  ['Debian GNU/Linux', 25],
  ['Fedora Linux', 10],
  ['Arch Linux', 8],
  ['Alpine Linux', 7],
  ['Rocky Linux', 5],
];
const RAM = [
  [4, 4],
  [8, 22],
  [16, 38],
  [32, 22],
  [64, 9],
  [128, 4],
  [256, 1],
];
const CORES = [
  [2, 6],
  [4, 18],
  [6, 14],
  [8, 26],
  [12, 12],
  [16, 14],
  [24, 5],
  [32, 4],
  [64, 1],
];
// As sold (GB); v1 reports send the bytes, v2 the power-of-two bucket (1000 GB -> 1024).
const DISK_SIZES = [
  [128, 5],
  [256, 22],
  [500, 20],
  [512, 15],
  [1000, 25],
  [2000, 9],
  [4000, 4],
];
const diskBucket = (gb) => {
  let size = 8;
  while (gb > size * 1.05) size *= 2;
  return size;
};
const DISK_TYPES = [
  ['NVMe', 55],
  ['SSD', 30],
  ['HDD', 15],
];

const GPU_MODELS = { Intel: 'UHD Graphics 620', NVIDIA: 'GeForce RTX 3060', AMD: 'Radeon RX 6700 XT', Apple: 'Apple M2' };

const SOURCES = [
  { name: 'acme-editor', language: 'nodejs', sdk: '@opentelemetry/sdk-node', versions: ['3.1.0', '3.2.0', '3.2.1', '4.0.0'], share: 0.35 },
  { name: 'photon-sync', language: 'python', sdk: 'opentelemetry-sdk', versions: ['1.8.2', '1.9.0'], share: 0.2 },
  { name: 'ledger-desk', language: 'java', sdk: 'opentelemetry-java', versions: ['7.4', '7.5', '8.0'], share: 0.15 },
  { name: 'blueprint-cad', language: 'dotnet', sdk: 'OpenTelemetry', versions: ['2024.2', '2025.1'], share: 0.08 },
  { name: 'rustbox', language: 'rust', sdk: 'opentelemetry-rust', versions: ['0.9.0', '0.10.0'], share: 0.05 },
];

const ERRORS = [
  {
    type: 'TypeError',
    code: null,
    message: "Cannot read properties of undefined (reading '<name>')",
    fn: 'render',
    file: 'dist/main/agent.js',
  },
  {
    type: 'Error',
    code: 'ENOENT',
    message: "ENOENT: no such file or directory, open '<path>'",
    fn: 'readConfig',
    file: 'dist/main/control/config-yaml.js',
  },
  { type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED <ip>:<port>', fn: 'TCPConnectWrap.afterConnect', file: 'node:net' },
  { type: 'Error', code: 'ETIMEDOUT', message: 'connect ETIMEDOUT <ip>:<port>', fn: 'TCPConnectWrap.afterConnect', file: 'node:net' },
  { type: 'SyntaxError', code: null, message: 'Unexpected token <token> in JSON at position <n>', fn: 'JSON.parse', file: '<external>' },
  {
    type: 'RangeError',
    code: 'ERR_OUT_OF_RANGE',
    message: 'The value of "<name>" is out of range.',
    fn: 'checkInt',
    file: 'node:internal/buffer',
  },
  { type: 'Error', code: 'EACCES', message: "EACCES: permission denied, open '<path>'", fn: 'openSync', file: 'node:fs' },
  {
    type: 'Error',
    code: 'EPERM',
    message: "EPERM: operation not permitted, rename '<path>' -> '<path>'",
    fn: 'renameSync',
    file: 'node:fs',
  },
  { type: 'Error', code: 'ENOSPC', message: 'ENOSPC: no space left on device, write', fn: 'writeSync', file: 'node:fs' },
  {
    type: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
    message: 'The "<name>" argument must be of type string. Received undefined',
    fn: 'join',
    file: 'node:path',
  },
  {
    type: 'Error',
    code: 'ERR_STREAM_PREMATURE_CLOSE',
    message: 'Premature close',
    fn: 'onclose',
    file: 'node:internal/streams/end-of-stream',
  },
  { type: 'AbortError', code: 'ABORT_ERR', message: 'The operation was aborted', fn: 'abort', file: 'node:internal/abort_controller' },
  { type: 'Error', code: 'ECONNRESET', message: 'socket hang up', fn: 'connResetException', file: 'node:internal/errors' },
  { type: 'TypeError', code: null, message: '<name> is not a function', fn: 'handle', file: 'dist/main/send/sender.js' },
  { type: 'Error', code: null, message: 'Request failed with status code <n>', fn: 'settle', file: 'axios' },
  { type: 'SqliteError', code: 'SQLITE_BUSY', message: 'database is locked', fn: 'run', file: 'better-sqlite3' },
  { type: 'Error', code: 'EMFILE', message: "EMFILE: too many open files, open '<path>'", fn: 'openSync', file: 'node:fs' },
  { type: 'ReferenceError', code: null, message: '<name> is not defined', fn: '<anonymous>', file: 'dist/renderer/main.js' },
  {
    type: 'Error',
    code: 'ERR_HTTP2_STREAM_ERROR',
    message: 'Stream closed with error code <name>',
    fn: 'onStreamClose',
    file: 'node:internal/http2/core',
  },
  { type: 'DOMException', code: null, message: 'The user aborted a request.', fn: 'abortFetch', file: 'undici' },
];

const TIMERS = [
  { name: 'candor_collect_ms', median: 40, sigma: 0.9, perHour: 360 },
  { name: 'candor_report_build_ms', median: 3, sigma: 0.6, perHour: 1 },
  { name: 'candor_anonymize_ms', median: 1.2, sigma: 0.5, perHour: 1 },
  { name: 'candor_upload_ms', median: 180, sigma: 0.8, perHour: 1 },
  { name: 'candor_api_request_ms', median: 0.6, sigma: 1.1, perHour: 20 },
];
const SOURCE_TIMERS = [
  { name: 'http.server.duration', median: 25, sigma: 1.0, perHour: 600 },
  { name: 'db.query.duration', median: 4, sigma: 1.2, perHour: 900 },
];

/** The histogram layout of the agent (main/collect/histogram.ts, candor-log-linear-1), from the build. */
const { bucketIndex } = await import(new URL('../dist/main/collect/histogram.js', import.meta.url).href);

/** Errors as safe parts (code, frames) once the published v2 schema has them, else with a scrubbed stack. */
const V2_ERRORS_HAVE_FRAMES = (() => {
  const schema = JSON.parse(readFileSync(new URL('../docs/schema/payload-v2.schema.json', import.meta.url), 'utf8'));
  return 'frames' in (schema.properties?.errors?.properties?.captured?.items?.properties ?? {});
})();

/** A machine's latency profile for one timer: 8 fixed quantile points, shifted by the machine's speed. */
function timerShape(random, timer, slowness) {
  const points = [];
  for (let i = 0; i < 8; i++) {
    const z = (i - 3.5) / 1.6 + normal(random) * 0.15;
    points.push(timer.median * slowness * Math.exp(timer.sigma * z));
  }
  return points.sort((a, b) => a - b);
}

function machine(random) {
  const platform = pick(random, PLATFORMS);
  const server = platform === 'linux' && random() < 0.6;
  const arch = platform === 'darwin' ? (random() < 0.8 ? 'arm64' : 'x64') : random() < 0.08 ? 'arm64' : 'x64';
  const vendor =
    platform === 'darwin' && arch === 'arm64' ? 'Apple' : arch === 'arm64' ? 'ARM' : random() < 0.62 ? 'GenuineIntel' : 'AuthenticAMD';
  const cores =
    platform === 'darwin' && arch === 'arm64'
      ? pick(random, [
          [8, 50],
          [10, 30],
          [12, 15],
          [16, 5],
        ])
      : pick(random, CORES);
  const ram = Math.max(4, Math.min(256, pick(random, RAM) * (cores >= 16 ? 2 : 1)));
  const virtualization = server
    ? pick(random, [
        ['container', 45],
        ['vm', 45],
        ['none', 10],
      ])
    : pick(random, [
        ['none', 90],
        ['vm', 10],
      ]);
  const disks = Array.from({ length: server ? 1 + Math.floor(random() * 2) : 1 + (random() < 0.3 ? 1 : 0) }, () => ({
    type: platform === 'darwin' ? 'NVMe' : pick(random, DISK_TYPES),
    size: pick(random, DISK_SIZES),
  }));
  const gpus = server
    ? []
    : platform === 'darwin'
      ? ['Apple']
      : [
          pick(random, [
            ['Intel', 45],
            ['NVIDIA', 35],
            ['AMD', 18],
            ['other', 2],
          ]),
        ].concat(random() < 0.15 ? ['Intel'] : []);
  const sources = SOURCES.filter((s) => random() < s.share);
  return {
    platform,
    arch,
    server,
    distro:
      platform === 'linux'
        ? pick(random, DISTROS)
        : platform === 'darwin'
          ? 'macOS'
          : pick(random, [
              ['Windows 11', 60],
              ['Windows 10', 40],
            ]),
    release: platform === 'linux' ? '12' : platform === 'darwin' ? '15.1' : '10.0.26100',
    kernel: platform === 'linux' ? '6.1.0' : platform === 'darwin' ? '24.1.0' : '10.0.26100',
    vendor,
    brand:
      vendor === 'Apple'
        ? 'Apple M2'
        : vendor === 'GenuineIntel'
          ? 'Intel Core i7-8565U'
          : vendor === 'AuthenticAMD'
            ? 'AMD Ryzen 7 5800X'
            : 'Neoverse N1',
    cores,
    ram,
    virtualization,
    hypervisor:
      virtualization === 'vm'
        ? pick(random, [
            ['KVM', 60],
            ['VMware', 25],
            ['Hyper-V', 15],
          ])
        : 'none',
    disks,
    gpus,
    sources,
    slowness: Math.exp(normal(random) * 0.35) * (cores <= 4 ? 1.4 : 1),
    mode: server
      ? 'headless'
      : pick(random, [
          ['desktop', 85],
          ['headless', 15],
        ]),
  };
}

const HOUR = 3600_000;
const BYTES_PER_GIB = 2 ** 30;

/** Marketed RAM size in bytes as an OS reports it (a little less), six significant digits (schema v1's rounding). */
function ramBytes(gib) {
  const bytes = gib * BYTES_PER_GIB * 0.97;
  const digits = Math.floor(Math.log10(bytes)) + 1;
  const unit = 10 ** (digits - 6);
  return Math.floor(bytes / unit) * unit;
}

/** Six significant digits for integers of a million and more (the payload's rule). */
function sig6(n) {
  if (n < 1_000_000) return n;
  const unit = 10 ** (Math.floor(Math.log10(n)) + 1 - 6);
  return Math.floor(n / unit) * unit;
}

function sig3(x) {
  return x === 0 ? 0 : Number(x.toPrecision(3));
}

/**
 * What a machine's timer looks like at any count, computed once per instance: its
 * summary (v1 exact, v2 to 3 significant digits) and the buckets of its 8 quantile
 * points (the 4th, the median, takes the remainder of an uneven split).
 */
function prepareTimer(shape) {
  const avg = shape.reduce((a, b) => a + b, 0) / shape.length;
  const v1 = { min: shape[0], avg, max: shape[7], p50: (shape[3] + shape[4]) / 2, p95: shape[6], p99: shape[7] };
  const v2 = Object.fromEntries(Object.entries(v1).map(([k, v]) => [k, sig3(v)]));
  const weights = new Map();
  shape.forEach((v, i) => {
    const index = bucketIndex(v);
    const w = weights.get(index) ?? { each: 0, median: false };
    w.each += 1;
    w.median ||= i === 3;
    weights.set(index, w);
  });
  const buckets = [...weights.entries()].sort((a, b) => a[0] - b[0]);
  return { v1, v2, index: buckets.map(([i]) => i), weights: buckets.map(([, w]) => w) };
}

const ZERO_STATS = { min: 0, avg: 0, max: 0, p50: 0, p95: 0, p99: 0 };

function timerStatsV1(count, timer) {
  return { count, ...(count === 0 ? ZERO_STATS : timer.v1) };
}

function timerV2(count, timer) {
  // Spread `count` over the 8 quantile points, 1/8 each, the rest to the median's bucket.
  const each = Math.floor(count / 8);
  const index = [];
  const counts = [];
  timer.weights.forEach((w, i) => {
    const c = each * w.each + (w.median ? count - each * 8 : 0);
    if (c > 0) {
      index.push(timer.index[i]);
      counts.push(sig6(c));
    }
  });
  return { count, ...(count === 0 ? ZERO_STATS : timer.v2), histogram: { layout: 'candor-log-linear-1', index, count: counts } };
}

function errorV1(e, count, seen) {
  return {
    fingerprint: 'h:0123456789abcdef',
    source: 'main',
    kind: 'uncaughtException',
    type: e.type,
    message: e.code ? `${e.message}` : e.message,
    stack: `${e.type}: ${e.message}\n    at ${e.fn} (${e.file}:12:5)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
    count,
    first_seen: seen,
    last_seen: seen,
  };
}

function errorV2(e, count, seen) {
  if (!V2_ERRORS_HAVE_FRAMES) return errorV1(e, count, seen);
  return {
    source: 'main',
    kind: 'uncaughtException',
    type: e.type,
    code: e.code,
    message: e.message,
    frames: [
      { fn: e.fn, file: e.file, line: 12, col: 5 },
      { fn: 'processTicksAndRejections', file: 'node:internal/process/task_queues', line: 95, col: 5 },
    ],
    count,
    first_seen: seen,
    last_seen: seen,
  };
}

function stats(random, center, spread) {
  const avg = center * Math.exp(normal(random) * spread);
  return { min: sig3(avg * 0.3), avg: sig3(avg), max: sig3(avg * 2.5), p95: sig3(avg * 2) };
}

/** The last hour's load, as the agent summarizes its samples. */
function loadSummary(random, m, version) {
  if (version === 1 && random() < 0.02) return { unavailable: true, reason: 'no samples yet' };
  return {
    samples: 360,
    window_s: 3600,
    cpu_pct: stats(random, m.server ? 35 : 12, 0.6),
    mem_used_pct: stats(random, 55, 0.25),
    disk_read_bps: stats(random, 400_000, 1),
    disk_write_bps: stats(random, 900_000, 1),
    load_avg_1m: m.platform === 'win32' ? null : stats(random, m.cores * 0.3, 0.5),
  };
}

function zipfError(random) {
  // P(k) ~ 1/k over the catalogue.
  const weights = ERRORS.map((e, k) => [e, 1 / (k + 1)]);
  return pick(random, weights);
}

/**
 * Reports in arrival order: { payload, receivedOn ('YYYY-MM-DD') }. `sources` adds the
 * telemetry of apps reporting through the agent (v2 only).
 * @param {{ seed?: number, reports: number, version?: 1 | 2, sources?: boolean, now?: Date, days?: number }} options
 */
export function* fleetReports(options) {
  const { seed = 42, reports, version = 1, sources = false, now = new Date(), days = 90 } = options;
  const random = seeded(seed);
  const end = now.getTime();
  const startRange = end - days * 24 * HOUR;
  let emitted = 0;
  while (emitted < reports) {
    // Instances are generated one after another; their reports interleave in time only
    // within an instance, which is all a collector's aggregates depend on.
    const m = machine(random);
    const id = uuidFrom(random);
    const started = startRange + random() * (end - startRange);
    const lifetime = m.server ? 24 * 7 * (0.5 + random() * 3) : 4 + Math.floor(-Math.log(Math.max(1e-9, random())) * 10);
    const count = Math.max(1, Math.min(Math.floor(lifetime), Math.floor((end - started) / HOUR) + 1, reports - emitted));
    const ageOfVersion = (started - startRange) / (end - startRange);
    const candor =
      CANDOR_VERSIONS[Math.min(CANDOR_VERSIONS.length - 1, Math.floor(ageOfVersion * CANDOR_VERSIONS.length + normal(random) * 0.6))] ??
      '0.1.0';
    const node = NODE_VERSIONS[Math.floor(random() * NODE_VERSIONS.length)];
    const shapes = TIMERS.map((t) => prepareTimer(timerShape(random, t, m.slowness)));
    const load = loadSummary(random, m, version);
    const sourceState = m.sources.map((s) => ({
      s,
      version: s.versions[Math.min(s.versions.length - 1, Math.floor(ageOfVersion * s.versions.length + random() * 0.8))],
      shapes: SOURCE_TIMERS.map((t) => prepareTimer(timerShape(random, t, m.slowness))),
      error: random() < 0.25 ? zipfError(random) : null,
    }));
    const errorsOfInstance = random() < 0.3 ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => zipfError(random)) : [];
    const errorRate = 0.2 + random() * 2;
    for (let k = 1; k <= count; k++) {
      const at = new Date(started + (k - 1) * HOUR);
      const generatedAt = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
      const hourSeen = new Date(Math.floor(at.getTime() / HOUR) * HOUR).toISOString();
      const timers = {};
      TIMERS.forEach((t, i) => {
        const n = Math.round(t.perHour * k * (0.8 + (i % 3) * 0.1));
        timers[t.name] = version === 1 ? timerStatsV1(n, shapes[i]) : timerV2(n, shapes[i]);
      });
      const errorCount = Math.floor(errorRate * k);
      const captured =
        errorCount === 0
          ? []
          : errorsOfInstance.map((e) => (version === 1 ? errorV1(e, errorCount, hourSeen) : errorV2(e, errorCount, hourSeen)));
      const system = {
        os: { platform: m.platform, arch: m.arch, distro: m.distro, release: m.release, kernel: m.kernel },
        cpu: { cores: m.cores, physical_cores: Math.max(1, Math.floor(m.cores / 2)), vendor: m.vendor, brand: m.brand, speed_ghz: 2.6 },
        memory: version === 1 ? { total_bytes: ramBytes(m.ram) } : { total_gib: m.ram },
        disks: {
          devices: m.disks.map((d) =>
            version === 1
              ? { type: d.type, type_source: 'diskLayout', size_bytes: d.size * 1e9 }
              : { type: d.type, type_source: 'diskLayout', size_gb: diskBucket(d.size) },
          ),
        },
        gpus: {
          devices: m.gpus.map((vendor) =>
            version === 1 ? { vendor: `${vendor} Corporation`, model: '<model>' } : { vendor, model: GPU_MODELS[vendor] ?? 'other' },
          ),
        },
        virtualization: { virtual: m.virtualization === 'vm', container: m.virtualization === 'container', hypervisor: m.hypervisor },
        displays: { count: m.server ? 0 : 1 },
      };
      const payload = {
        schema_version: version,
        id,
        ...(version === 2 ? { report_id: randomUUID() } : {}),
        anonymized: true,
        details_level: 4,
        generated_at: generatedAt,
        app: {
          name: 'candor',
          version: candor,
          mode: m.mode,
          node_version: node,
          electron_version: m.mode === 'desktop' ? '33.2.0' : null,
        },
        delivery: { dropped_reports: 0 },
        system,
        performance: {
          timers,
          counters: { candor_reports_built: k },
          load,
        },
        errors: { captured, dropped: 0 },
      };
      if (version === 1) {
        payload.instance = {
          details_level: 4,
          sampling_interval_s: 10,
          send_interval_s: 3600,
          first_delay_s: 300,
          endpoint_configured: true,
          endpoint: 'h:e2d1c49fb429e85a',
          deletion_endpoint_configured: true,
          run_mode: 'h:cd97eeb6b8ae90b1',
          log_level: 'info',
          http_port: 6334,
          config_files: [],
          data_dir: 'h:52f90099e9c23c45',
          switches: {
            env_disabled: false,
            config_disabled: false,
            cli_disabled: false,
            do_not_track: false,
            user_disabled: false,
            paused: false,
            consent: 'granted',
          },
        };
      } else {
        payload.instance = {
          details_level: 4,
          sampling_interval_s: 10,
          send_interval_s: 3600,
          first_delay_s: 300,
          endpoint_configured: true,
          deletion_endpoint_configured: true,
          run_mode: 'production',
          log_level: 'info',
          http_port: 'default',
          config_layers: ['config.yaml'],
          switches: {
            env_disabled: false,
            config_disabled: false,
            cli_disabled: false,
            do_not_track: false,
            user_disabled: false,
            paused: false,
            consent: 'granted',
          },
        };
      }
      if (version === 2 && sources) {
        payload.sources = sourceState.map(({ s, version: v, shapes: sh, error }) => ({
          name: s.name,
          version: v,
          sdk: { language: s.language, name: 'opentelemetry', version: '1.28.0' },
          os_type: { win32: 'windows', darwin: 'darwin', linux: 'linux' }[m.platform] ?? 'other',
          counters: { 'http.server.requests': sig6(600 * k) },
          timers: Object.fromEntries(SOURCE_TIMERS.map((t, i) => [t.name, { ...timerV2(Math.round(t.perHour * k), sh[i]), unit: 'ms' }])),
          errors: { captured: error === null || errorCount === 0 ? [] : [errorV2(error, errorCount, hourSeen)], dropped: 0 },
          dropped: {},
        }));
      }
      emitted += 1;
      yield { payload, receivedOn: generatedAt.slice(0, 10) };
      if (emitted >= reports) return;
    }
  }
}
