import { z } from 'zod';
import {
  CONFIG_LAYERS,
  CPU_VENDORS,
  DISTROS,
  GPU_VENDORS,
  HYPERVISORS,
  OS_TYPES,
  OTHER,
  RUN_MODES,
  SDK_LANGUAGES,
} from '../anonymize/categories.js';
import type { Rule } from '../anonymize/rule-names.js';
import { ERROR_KINDS, ERROR_SOURCES } from '../collect/error-records.js';
import { SAFE_NAME } from '../anonymize/safe-name.js';

// The payload, defined once. Every field carries:
//   x-level  the lowest details_level that includes it (levels are supersets),
//   x-rule   how the anonymizer treats it (see main/anonymize/ and docs/payload.md),
//   description  what it means, shown in docs/payload.md.
// The anonymizer walks the JSON Schema generated from this: a field that is not
// declared here is dropped, so this file *is* the allow-list. A field whose level is
// above its parent's is optional, since lower levels omit it.

export const SCHEMA_VERSION = 2;

export type { Rule } from '../anonymize/rule-names.js';
export type Level = 0 | 1 | 2 | 3 | 4;
export const MAX_LEVEL: Level = 4;

interface FieldMeta {
  level?: Level;
  rule?: Rule;
  /** For records: what to do with the keys. Default keep (keys are code-defined names). */
  keys?: Rule;
  /** The list a category rule keeps values from (anything else is `other`); the wire schema's enum. */
  categories?: readonly string[];
}

/** Attach level/rule/description. Leaves must always state a rule (a test checks it). */
function m<T extends z.ZodType>(schema: T, description: string, meta: FieldMeta = {}): T {
  const out: Record<string, unknown> = { description };
  if (meta.level !== undefined) out['x-level'] = meta.level;
  if (meta.rule !== undefined) out['x-rule'] = meta.rule;
  if (meta.keys !== undefined) out['x-keys'] = meta.keys;
  if (meta.categories !== undefined) out['x-categories'] = [...meta.categories];
  return schema.meta(out);
}

const count = (d: string, level?: Level): z.ZodNumber => m(z.number().int().nonnegative(), d, { rule: 'round', level });
const num = (d: string, level?: Level): z.ZodNumber => m(z.number(), d, { rule: 'round', level });
const setting = (d: string): z.ZodNumber => m(z.number().nonnegative(), d, { rule: 'setting' });
const flag = (d: string, level?: Level): z.ZodBoolean => m(z.boolean(), d, { rule: 'keep', level });
/** A raw string that leaves as one of `categories` (the classifier named by `rule` picks it). */
const category = (d: string, rule: Rule, categories: readonly string[], level?: Level): z.ZodString =>
  m(z.string(), d, { rule, categories, level });

export const UNAVAILABLE_REASONS = ['timeout', 'malformed', 'no-data', 'failed'] as const;

export const Unavailable = z
  .object({
    unavailable: m(z.literal(true), 'This section could not be read.', { rule: 'keep' }),
    reason: category('Why it could not be read; the message itself stays on this machine.', 'unavailable-reason', UNAVAILABLE_REASONS),
  })
  .strict();
export type Unavailable = z.infer<typeof Unavailable>;

function orUnavailable<T extends z.ZodType>(schema: T, description: string, level: Level): z.ZodUnion<[T, typeof Unavailable]> {
  return m(z.union([schema, Unavailable]), description, { level });
}

export const CPU_FLAGS = ['sse', 'sse2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512vl', 'avx512vpopcntdq', 'neon', 'fp16'] as const;
export type CpuFlag = (typeof CPU_FLAGS)[number];

export const DISK_TYPES = ['NVMe', 'SSD', 'HDD', 'unknown'] as const;
export const DISK_TYPE_SOURCES = ['diskLayout', 'rotational', 'device-name', 'none'] as const;

// Names the OS reports as free text (distro, release, kernel, CPU brand, GPU vendor and
// model) leave rebuilt from safe parts: a listed name, a version number, hardware
// words. An edited PRETTY_NAME, a custom kernel suffix (6.8.0-alice-laptop) or a VM's
// model id cannot carry a user or host name through.
const PLATFORMS = ['linux', 'darwin', 'win32', 'freebsd', 'openbsd', 'sunos', 'aix', 'android', 'other'] as const;
const ARCHS = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips', 'mipsel', 'other'] as const;
const Os = z
  .object({
    platform: category('Operating system family as Node reports it (linux, darwin, win32).', 'category', PLATFORMS),
    arch: category('CPU architecture (x64, arm64).', 'category', ARCHS),
    distro: category('Distribution or product name (Debian GNU/Linux, Ubuntu, macOS, Windows 11, ...).', 'distro', DISTROS, 1).optional(),
    release: m(z.string(), 'Distribution release number (12, 14.4.1, 10.0.22631).', { rule: 'version', level: 1 }).optional(),
    kernel: m(z.string(), 'Kernel version number, without any suffix.', { rule: 'version', level: 1 }).optional(),
  })
  .strict();

const CpuFlags = z
  .object(Object.fromEntries(CPU_FLAGS.map((f) => [f, flag(`CPU supports ${f}.`)])) as Record<CpuFlag, z.ZodBoolean>)
  .strict();

const Cpu = z
  .object({
    cores: count('Logical CPU cores.'),
    physical_cores: count('Physical CPU cores.', 1).optional(),
    vendor: category('CPU vendor (GenuineIntel, AuthenticAMD, Apple).', 'cpu-vendor', CPU_VENDORS, 1).optional(),
    brand: m(z.string(), 'CPU model name (Intel Core i7-8565U CPU @ 1.80GHz).', { rule: 'hardware-model', level: 1 }).optional(),
    speed_ghz: num('Base clock in GHz.', 1).optional(),
    flags: m(CpuFlags, "A fixed list of instruction-set flags (Qdrant's list); nothing else from /proc/cpuinfo.", { level: 1 }).optional(),
  })
  .strict();

const Memory = z
  .object({ total_gib: m(z.number().nonnegative(), 'Installed RAM in GiB, as its marketed size.', { rule: 'ram-bucket' }) })
  .strict();

const Disk = z
  .object({
    type: m(z.enum(DISK_TYPES), 'Physical disk type.', { rule: 'keep' }),
    type_source: m(
      z.enum(DISK_TYPE_SOURCES),
      "What decided the type: systeminformation diskLayout(), the kernel's rotational flag, the device name (nvme*), or nothing.",
      { rule: 'keep' },
    ),
    size_gb: m(z.number().nonnegative(), 'Disk size in GB (10^9 bytes), as its marketed size.', { rule: 'disk-bucket' }),
  })
  .strict();

const Gpu = z
  .object({
    vendor: category('GPU vendor.', 'gpu-vendor', GPU_VENDORS),
    model: m(z.string(), 'GPU model name (NVIDIA GeForce RTX 4090).', { rule: 'hardware-model' }),
  })
  .strict();

const Virtualization = z
  .object({
    virtual: flag('Running in a virtual machine.'),
    container: flag('Running in a container (Docker, Podman, LXC, WSL counts as virtual).'),
    hypervisor: category('Hypervisor (KVM, VMware, Hyper-V), `none` outside a VM.', 'hypervisor', HYPERVISORS),
  })
  .strict();

const System = z
  .object({
    os: orUnavailable(Os, 'Operating system.', 0),
    cpu: orUnavailable(Cpu, 'Processor.', 0),
    memory: orUnavailable(Memory, 'Memory.', 0),
    disks: orUnavailable(
      z.object({ devices: m(z.array(Disk), 'Every physical disk (zram, loop and ram devices skipped).') }).strict(),
      'Disks: type and size only. No serials, names, mount points or UUIDs.',
      1,
    ).optional(),
    gpus: orUnavailable(z.object({ devices: m(z.array(Gpu), 'Every graphics controller.') }).strict(), 'Graphics.', 1).optional(),
    virtualization: orUnavailable(Virtualization, 'Virtual machine and container detection.', 1).optional(),
    displays: orUnavailable(z.object({ count: count('Number of attached displays.') }).strict(), 'Displays.', 1).optional(),
  })
  .strict();

const Switches = z
  .object({
    env_disabled: flag('CANDOR__TELEMETRY_DISABLED is set.'),
    config_disabled: flag('telemetry_disabled: true in a config file.'),
    cli_disabled: flag('--disable-telemetry on the command line.'),
    do_not_track: flag('DO_NOT_TRACK=1 in the environment.'),
    user_disabled: flag('Disabled by the user in the app.'),
    paused: flag('Paused by the user.'),
    consent: m(z.enum(['unset', 'granted', 'revoked']), "The user's consent answer.", { rule: 'keep' }),
  })
  .strict();

// No paths, no endpoint and no port number: a hash of them would only tell one
// install's restarts apart, and a category says all a maintainer needs.
const Instance = z
  .object({
    details_level: m(z.number().int().min(0).max(4), 'Configured details level for sending.', { rule: 'keep' }),
    sampling_interval_s: setting('Seconds between system load samples.'),
    send_interval_s: setting('Seconds between reports.'),
    first_delay_s: setting('Seconds before the first report.'),
    endpoint_configured: flag('A telemetry endpoint is configured.'),
    deletion_endpoint_configured: flag('A deletion endpoint is configured.'),
    run_mode: category('RUN_MODE (which config layer is read) as a common name, else `other`.', 'run-mode', RUN_MODES),
    log_level: m(z.enum(['error', 'warn', 'info', 'debug']), 'Log level.', { rule: 'keep' }),
    http_port: m(z.enum(['default', 'custom', 'any']), 'Local API port: the default (6334), another fixed one, or any free one.', {
      rule: 'keep',
    }),
    config_layers: m(
      z.array(m(z.enum(CONFIG_LAYERS), 'A config layer.', { rule: 'keep' })),
      'Which config layers were loaded (never their paths).',
    ),
    switches: m(Switches, 'Which off switches are set (booleans only, no values).'),
  })
  .strict();

const Stats = z
  .object({
    min: num('Minimum.'),
    avg: num('Mean.'),
    max: num('Maximum.'),
    p95: num('95th percentile.'),
  })
  .strict();

export const HISTOGRAM_LAYOUT = 'candor-log-linear-1';

// The bucket counts a receiver needs to merge timers across instances exactly (never
// an average of percentiles): bucket i of main/collect/histogram.ts's fixed layout.
const Histogram = z
  .object({
    layout: m(z.literal(HISTOGRAM_LAYOUT), 'The bucket layout (BUCKET_UPPER_MS in main/collect/histogram.ts).', { rule: 'keep' }),
    index: m(z.array(m(z.number().int().nonnegative(), 'Bucket index.', { rule: 'keep' })), 'Indexes of the non-empty buckets, ascending.'),
    count: m(z.array(count('Recordings in the bucket.')), 'Recordings in each of those buckets.'),
  })
  .strict();

const TimerStats = z
  .object({
    count: count('Number of recordings.'),
    min: num('Minimum (ms).'),
    avg: num('Mean (ms).'),
    max: num('Maximum (ms).'),
    p50: num('Median (ms).'),
    p95: num('95th percentile (ms).'),
    p99: num('99th percentile (ms).'),
    histogram: m(Histogram, 'The non-empty buckets, for merging across instances.').optional(),
  })
  .strict();
export type TimerStats = z.infer<typeof TimerStats>;

const nullableStats = (d: string): z.ZodNullable<typeof Stats> => m(Stats.nullable(), `${d} Null where the platform does not report it.`);

const Load = z
  .object({
    samples: count('Number of samples in the window.'),
    window_s: num('Seconds covered by the samples.'),
    cpu_pct: nullableStats('CPU load in percent.'),
    mem_used_pct: nullableStats('Memory in use (without caches) in percent.'),
    disk_read_bps: nullableStats('Disk read rate, bytes per second.'),
    disk_write_bps: nullableStats('Disk write rate, bytes per second.'),
    load_avg_1m: nullableStats('One-minute load average (not on Windows).'),
  })
  .strict();

/** Label values Candor's own metrics declare: code names, routes. */
export const LABEL_VALUE = /^[A-Za-z0-9_./:-]{1,64}$/;

const MetricDetail = z
  .object({
    name: m(z.string(), 'Metric name (defined in code).', { rule: 'keep' }),
    kind: m(z.enum(['counter', 'histogram']), 'Metric kind.', { rule: 'keep' }),
    labels: m(
      z.record(z.string(), m(z.string().regex(LABEL_VALUE), 'Label value, one the metric declares in code.', { rule: 'keep' })),
      'Labels whose values the metric declares in code: they leave as those categories (anything else is recorded as `other`).',
      { keys: 'keep' },
    ),
    hashed_labels: m(
      z.record(z.string(), m(z.string(), 'Label value, hashed with the per-start key.', { rule: 'hash' })),
      'Labels the metric does not declare: values leave only as per-start hashes.',
      { keys: 'keep' },
    ),
    value: num('Counter value (counters only).').optional(),
    stats: m(TimerStats, 'Histogram summary (histograms only).').optional(),
  })
  .strict();

const RecentSample = z
  .object({
    age_s: num('Seconds before generated_at.'),
    cpu_pct: m(z.number().nullable(), 'CPU load in percent.', { rule: 'round' }),
    mem_used_pct: m(z.number().nullable(), 'Memory in use in percent.', { rule: 'round' }),
  })
  .strict();

const Performance = z
  .object({
    timers: m(z.record(z.string(), TimerStats), 'Timers by name, aggregated over all label sets.', { keys: 'keep' }),
    counters: m(z.record(z.string(), num('Counter total.')), 'Counters by name, summed over all label sets.', { keys: 'keep' }),
    load: orUnavailable(Load, 'System load over the sampling window.', 2),
    detail: m(z.array(MetricDetail), 'Every metric per label set.', { level: 3 }).optional(),
    recent_samples: m(z.array(RecentSample), 'The most recent load samples, newest first.', { level: 3 }).optional(),
  })
  .strict();

// A stack frame, each part by its own rule; the raw stack stays on this machine.
const Frame = z
  .object({
    fn: m(z.string(), 'The function (Class.method, async x, new X), else `<fn>`.', { rule: 'frame-fn' }),
    file: m(z.string(), 'The file: relative to the app, a popular npm package, a node: module, else `<external>` / `<package>`.', {
      rule: 'frame-file',
    }),
    line: m(z.number().int().min(0).max(100_000_000).nullable(), 'Line number.', { rule: 'keep' }),
    col: m(z.number().int().min(0).max(100_000_000).nullable(), 'Column number.', { rule: 'keep' }),
  })
  .strict();

// An error leaves built from safe parts only: its type, a known code, the message as a
// template of known words and typed placeholders, and the top frames.
const CapturedError = z
  .object({
    fingerprint: m(z.string(), "This machine's grouping key for repeats of the error (raw frames); never sent.", {
      rule: 'local',
    }).optional(),
    source: m(z.enum(ERROR_SOURCES), "Where it happened: Candor's main process, its page, or an app reporting through it.", {
      rule: 'keep',
    }),
    kind: m(z.enum(ERROR_KINDS), 'How it was captured.', { rule: 'keep' }),
    type: m(z.string(), 'Error type: a built-in or library class, or made of known words; else `<type>`.', { rule: 'error-type' }),
    code: m(z.string().nullable(), 'Error code from the known lists (ENOENT, ERR_*, HTTP_404, SQLSTATE_*), else null.', {
      rule: 'error-code',
    }),
    message: m(z.string(), 'The message as a template: known words kept, everything else a typed placeholder.', { rule: 'template' }),
    frames: m(z.array(Frame), 'The top stack frames (at most 12).'),
    stack: m(z.string(), "The raw backtrace, for this machine's preview only; never sent.", { rule: 'local' }).optional(),
    count: count('Occurrences since start.'),
    first_seen: m(z.string(), 'First occurrence, coarsened to the hour.', { rule: 'time-hour' }),
    last_seen: m(z.string(), 'Last occurrence, coarsened to the hour.', { rule: 'time-hour' }),
  })
  .strict();
export type CapturedError = z.infer<typeof CapturedError>;

const Errors = z
  .object({
    captured: m(z.array(CapturedError), 'Distinct errors since start, most recent first.'),
    dropped: count('Distinct errors not kept because the list was full.'),
  })
  .strict();

// ---- sources: apps that report through Candor's OTLP intake (issue 11) ----------------

const DROP_REASON = /^[a-z][a-z0-9_]{0,63}$/;
const SDK_NAMES = ['opentelemetry', OTHER] as const;
const metricName = (): z.ZodString => z.string().regex(SAFE_NAME);

const SourceTimer = TimerStats.extend({
  unit: m(z.string().regex(/^[A-Za-z0-9%{}/._*^-]{1,32}$/), 'The unit the app states (ms, s, By, 1).', { rule: 'keep' }),
}).strict();

const SourceDetail = z
  .object({
    name: m(metricName(), 'Metric name (the app defines it; the intake keeps only safe names).', { rule: 'keep' }),
    kind: m(z.enum(['counter', 'histogram']), 'Metric kind.', { rule: 'keep' }),
    unit: m(z.string().regex(/^[A-Za-z0-9%{}/._*^-]{1,32}$/), 'Unit.', { rule: 'keep' }),
    labels: m(
      z.record(
        z.string().regex(SAFE_NAME),
        m(z.string(), 'A value the operator declared for this attribute, or `other`.', { rule: 'keep' }),
      ),
      'Attributes whose values are declared categories (config intake.sources.<name>.categories).',
      { keys: 'keep' },
    ),
    hashed_labels: m(
      z.record(z.string().regex(SAFE_NAME), m(z.string(), 'Attribute value, hashed with the per-start key.', { rule: 'hash' })),
      'Every other attribute: values leave only as per-start hashes.',
      { keys: 'keep' },
    ),
    value: num('Counter total (counters only).').optional(),
    stats: m(TimerStats, 'Histogram summary (histograms only).').optional(),
  })
  .strict();

const Source = z
  .object({
    name: m(z.string().regex(SAFE_NAME), 'The app: its OpenTelemetry service.name, which you allowed.', { rule: 'keep' }),
    version: m(z.string().nullable(), 'service.version, its leading version number.', { rule: 'version' }),
    sdk: m(
      z
        .object({
          language: category('telemetry.sdk.language.', 'category', [...SDK_LANGUAGES, OTHER]).nullable(),
          name: category('telemetry.sdk.name.', 'category', SDK_NAMES).nullable(),
          version: m(z.string().nullable(), 'telemetry.sdk.version, its leading version number.', { rule: 'version' }),
        })
        .strict(),
      'The OpenTelemetry SDK it uses.',
    ),
    os_type: category('os.type as the app reports it.', 'category', [...OS_TYPES, OTHER]).nullable(),
    counters: m(z.record(metricName(), num('Counter total, summed over its series.')), 'Counters by name.', { keys: 'keep' }),
    timers: m(z.record(metricName(), SourceTimer), "Histograms by name, merged into Candor's bucket layout.", { keys: 'keep' }),
    detail: m(z.array(SourceDetail), 'Every series of every metric.', { level: 3 }).optional(),
    errors: m(Errors, 'Error logs (severity ERROR or above, or with exception.* attributes), built from safe parts.', {
      level: 4,
    }).optional(),
    dropped: m(z.record(z.string().regex(DROP_REASON), count('Data dropped for this reason.')), 'What the intake dropped, by reason.', {
      keys: 'keep',
    }),
  })
  .strict();
export type SourceSection = z.infer<typeof Source>;

export const Payload = z
  .object({
    schema_version: m(z.literal(SCHEMA_VERSION), 'Version of this schema.', { rule: 'keep', level: 0 }),
    id: m(
      z.uuid(),
      'Random UUID v4 made at each start; this machine records it (ids.json) before any report under it can leave, so it can be named in a deletion request.',
      { rule: 'keep', level: 0 },
    ),
    report_id: m(
      z.uuid(),
      'Random UUID v4 made for each report, also sent as the Idempotency-Key header: the receiver keeps one copy whatever the retries.',
      { rule: 'keep', level: 0 },
    ),
    anonymized: flag('False only in a raw export made on explicit request; a raw payload is never sent.', 0),
    details_level: m(z.number().int().min(0).max(4), 'The details level this payload was built at.', { rule: 'keep', level: 0 }),
    generated_at: m(z.iso.datetime(), 'When the payload was built, coarsened to the minute.', { rule: 'time-minute', level: 0 }),
    app: m(
      z
        .object({
          name: m(z.literal('candor'), 'Application name.', { rule: 'keep' }),
          version: m(z.string(), 'Candor version.', { rule: 'keep' }),
          mode: m(z.enum(['desktop', 'headless', 'cli']), 'How Candor runs.', { rule: 'keep' }),
          node_version: m(z.string(), 'Node.js version.', { rule: 'keep' }),
          electron_version: m(z.string().nullable(), 'Electron version, null outside Electron.', { rule: 'keep' }),
        })
        .strict(),
      'The application.',
      { level: 0 },
    ),
    delivery: m(
      z.object({ dropped_reports: count('Reports dropped from the full outbox since the last delivered one.') }).strict(),
      'Delivery bookkeeping.',
      { level: 0 },
    ),
    system: m(System, 'System information.', { level: 0 }),
    instance: m(Instance, 'Summary of the effective configuration.', { level: 1 }).optional(),
    performance: m(Performance, 'Performance counters and system load.', { level: 2 }).optional(),
    sources: m(z.array(Source), 'Apps on this machine that report through Candor and that you allowed, one entry each.', {
      level: 2,
    }).optional(),
    errors: m(Errors, 'Critical error reports with backtraces.', { level: 4 }).optional(),
  })
  .strict();

export type Payload = z.infer<typeof Payload>;
export type SystemSection = z.infer<typeof System>;
export type InstanceSummary = z.infer<typeof Instance>;
export type PerformanceSection = z.infer<typeof Performance>;
export type ErrorsSection = z.infer<typeof Errors>;
export type LoadSection = z.infer<typeof Load>;
export type StatsSummary = z.infer<typeof Stats>;
export type MetricDetail = z.infer<typeof MetricDetail>;
export type RecentSample = z.infer<typeof RecentSample>;

/** JSON Schema (draft 2020-12) of the payload, with x-level / x-rule / x-keys annotations. */
/**
 * JSON Schema (draft 2020-12) of the payload as this machine holds it (raw previews and
 * exports too), with x-level / x-rule / x-keys / x-categories annotations. What is sent
 * is described by the wire schema derived from it (wire-schema.ts).
 */
export function payloadJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Payload, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $id: `https://candor.invalid/schema/payload-v${SCHEMA_VERSION}-local.json`,
    title: `Candor payload v${SCHEMA_VERSION} (local: previews and raw exports)`,
    ...schema,
  };
}
