import { z } from 'zod';
import { SAFE_NAME } from '../anonymize/safe-name.js';

// The operator's configuration: one table of leaf keys (type, range, default, what a
// person should write), from which the whole-object schema, the YAML walker and the
// environment parser are all derived, so a key cannot exist in one and not the others.

export interface CandorConfig {
  telemetry_disabled: boolean;
  telemetry: {
    endpoint: string | null;
    interval_s: number;
    first_delay_s: number;
    details_level: 0 | 1 | 2 | 3 | 4;
    privacy_contact: string | null;
    deletion_endpoint: string | null;
    consent: 'granted' | 'revoked' | null;
  };
  sampling: { interval_s: number };
  service: { http_port: number };
  log: { level: 'error' | 'warn' | 'info' | 'debug' };
  intake: {
    otlp: { enabled: boolean; port: number };
    /** Operator pre-answers and declared categories; YAML `intake.sources.<name>.categories` lands in `categories[name]`. */
    sources: { allow: string[]; deny: string[]; categories: Record<string, Record<string, string[]>> };
  };
  collector: CollectorConfig;
}

// ---- collector: the receiving side (`candor collector`, collector/). The agent ignores these keys.
export interface CollectorConfig {
  listen: string;
  retention_days: number;
  min_group_size: number;
  admin_token: string | null;
  max_body_bytes: number;
  max_inflated_bytes: number;
  rate_limit_per_s: number;
  instance_reports_per_hour: number;
  clickhouse: { url: string | null; database: string; user: string; password: string | null };
}

/** HOST:PORT, [IPv6]:PORT; the port may be 0 (any free port). */
export function parseListen(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) return null;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** An http(s) URL with a host and no user:password in it. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const collectorLeaf = {
  listen: z.string().refine((text) => parseListen(text) !== null),
  retention_days: z.number().int().min(1).max(36_500),
  min_group_size: z.number().int().min(2).max(1_000_000),
  admin_token: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/)
    .nullable(),
  max_body_bytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024),
  max_inflated_bytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024),
  rate_limit_per_s: z.number().int().min(1).max(1_000_000),
  instance_reports_per_hour: z.number().int().min(1).max(1_000_000),
  clickhouse_url: z.string().refine(isHttpUrl).nullable(),
  clickhouse_name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
  clickhouse_password: z.string().min(1).max(1024).nullable(),
};

const COLLECTOR_KEYS: LeafSpec[] = [
  {
    path: 'collector.listen',
    schema: collectorLeaf.listen,
    env: 'string',
    expected: 'HOST:PORT, e.g. 127.0.0.1:6335 (port 0 = any free port)',
    default: '127.0.0.1:6335',
  },
  {
    path: 'collector.retention_days',
    schema: collectorLeaf.retention_days,
    env: 'integer',
    expected: 'an integer from 1 to 36500 (days)',
    default: 365,
  },
  {
    path: 'collector.min_group_size',
    schema: collectorLeaf.min_group_size,
    env: 'integer',
    expected: 'an integer of at least 2 (aggregate cells backed by fewer distinct reports are suppressed)',
    default: 5,
  },
  {
    path: 'collector.admin_token',
    schema: collectorLeaf.admin_token,
    env: 'string',
    expected: '16 to 256 printable ASCII characters without spaces, or null (one is generated into the data dir)',
    default: null,
  },
  {
    path: 'collector.max_body_bytes',
    schema: collectorLeaf.max_body_bytes,
    env: 'integer',
    expected: 'an integer from 1024 to 1073741824 (bytes on the wire)',
    default: 1024 * 1024,
  },
  {
    path: 'collector.max_inflated_bytes',
    schema: collectorLeaf.max_inflated_bytes,
    env: 'integer',
    expected: 'an integer from 1024 to 1073741824 (bytes after gunzip)',
    default: 8 * 1024 * 1024,
  },
  {
    path: 'collector.rate_limit_per_s',
    schema: collectorLeaf.rate_limit_per_s,
    env: 'integer',
    expected: 'an integer of at least 1 (requests per second, all clients together)',
    default: 2000,
  },
  {
    path: 'collector.instance_reports_per_hour',
    schema: collectorLeaf.instance_reports_per_hour,
    env: 'integer',
    expected: 'an integer of at least 1 (reports per hour under one instance id)',
    default: 120,
  },
  {
    path: 'collector.clickhouse.url',
    schema: collectorLeaf.clickhouse_url,
    env: 'string',
    expected: "ClickHouse's HTTP interface as an http:// or https:// URL without user:password, or null (DuckDB)",
    default: null,
  },
  {
    path: 'collector.clickhouse.database',
    schema: collectorLeaf.clickhouse_name,
    env: 'string',
    expected: 'a database name (letters, digits, _)',
    default: 'candor',
  },
  {
    path: 'collector.clickhouse.user',
    schema: collectorLeaf.clickhouse_name,
    env: 'string',
    expected: 'a user name (letters, digits, _)',
    default: 'default',
  },
  {
    path: 'collector.clickhouse.password',
    schema: collectorLeaf.clickhouse_password,
    env: 'string',
    expected: 'the password, or null',
    default: null,
  },
];

const CollectorSchema = z.strictObject({
  listen: collectorLeaf.listen,
  retention_days: collectorLeaf.retention_days,
  min_group_size: collectorLeaf.min_group_size,
  admin_token: collectorLeaf.admin_token,
  max_body_bytes: collectorLeaf.max_body_bytes,
  max_inflated_bytes: collectorLeaf.max_inflated_bytes,
  rate_limit_per_s: collectorLeaf.rate_limit_per_s,
  instance_reports_per_hour: collectorLeaf.instance_reports_per_hour,
  clickhouse: z.strictObject({
    url: collectorLeaf.clickhouse_url,
    database: collectorLeaf.clickhouse_name,
    user: collectorLeaf.clickhouse_name,
    password: collectorLeaf.clickhouse_password,
  }),
});
// ---- end collector

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https anywhere; plain http only to this machine (a test collector), never across a network. */
export function isAllowedEndpoint(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  // Credentials in a URL end up in logs and in the status output.
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

const int = (min: number, max: number): z.ZodNumber => z.number().int().min(min).max(max);
const endpoint = z.string().refine(isAllowedEndpoint).nullable();
const endpointExpected = 'an https:// URL (http:// only for localhost, 127.0.0.1 or ::1; no user:password) or null';
// Upper bounds keep every delay below setTimeout's 2^31-1 ms limit (24.8 days).
const leaf = {
  telemetry_disabled: z.boolean(),
  interval_s: int(60, 604_800),
  first_delay_s: int(0, 86_400),
  details_level: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  privacy_contact: z.string().trim().min(1).max(256).nullable(),
  consent: z.enum(['granted', 'revoked']).nullable(),
  sampling_interval_s: int(1, 3600),
  http_port: int(0, 65_535),
  log_level: z.enum(['error', 'warn', 'info', 'debug']),
  ...intakeLeaves(),
};

/** The intake's keys (issue 11): an OTLP port, and answers and categories per source (service.name). */
function intakeLeaves() {
  // What a service.name or attribute key must look like to be kept at all.
  const name = z.string().regex(SAFE_NAME);
  return {
    intake_enabled: z.boolean(),
    intake_port: int(0, 65_535),
    intake_names: z.array(name).max(1000),
    intake_categories: z.record(name, z.array(z.string().min(1).max(256)).min(1).max(200)).refine((r) => Object.keys(r).length <= 50),
  };
}

/** How a value is read from an environment variable (files carry their own YAML types). */
export type EnvKind = 'boolean' | 'integer' | 'string' | 'enum' | 'list';

export interface LeafSpec {
  readonly path: string;
  readonly schema: z.ZodType;
  readonly env: EnvKind;
  readonly expected: string;
  readonly default: unknown;
}

export const CONFIG_KEYS: readonly LeafSpec[] = [
  { path: 'telemetry_disabled', schema: leaf.telemetry_disabled, env: 'boolean', expected: 'true or false', default: false },
  { path: 'telemetry.endpoint', schema: endpoint, env: 'string', expected: endpointExpected, default: null },
  {
    path: 'telemetry.interval_s',
    schema: leaf.interval_s,
    env: 'integer',
    expected: 'an integer from 60 to 604800 (seconds)',
    default: 3600,
  },
  {
    path: 'telemetry.first_delay_s',
    schema: leaf.first_delay_s,
    env: 'integer',
    expected: 'an integer from 0 to 86400 (seconds)',
    default: 300,
  },
  { path: 'telemetry.details_level', schema: leaf.details_level, env: 'integer', expected: 'an integer from 0 to 4', default: 2 },
  {
    path: 'telemetry.privacy_contact',
    schema: leaf.privacy_contact,
    env: 'string',
    expected: 'a non-empty text of at most 256 characters (e-mail or URL) or null',
    default: null,
  },
  { path: 'telemetry.deletion_endpoint', schema: endpoint, env: 'string', expected: endpointExpected, default: null },
  { path: 'telemetry.consent', schema: leaf.consent, env: 'enum', expected: 'granted, revoked or null', default: null },
  {
    path: 'sampling.interval_s',
    schema: leaf.sampling_interval_s,
    env: 'integer',
    expected: 'an integer from 1 to 3600 (seconds)',
    default: 10,
  },
  {
    path: 'service.http_port',
    schema: leaf.http_port,
    env: 'integer',
    expected: 'an integer from 0 to 65535 (0 = any free port)',
    default: 6334,
  },
  { path: 'log.level', schema: leaf.log_level, env: 'enum', expected: 'error, warn, info or debug', default: 'info' },
  {
    path: 'intake.otlp.enabled',
    schema: leaf.intake_enabled,
    env: 'boolean',
    expected: 'true or false (whether apps may report through the OTLP intake)',
    default: true,
  },
  {
    path: 'intake.otlp.port',
    schema: leaf.intake_port,
    env: 'integer',
    expected: 'an integer from 0 to 65535 (0 = any free port; OpenTelemetry SDKs send to 4318 by default)',
    default: 4318,
  },
  {
    path: 'intake.sources.allow',
    schema: leaf.intake_names,
    env: 'list',
    expected: 'a list of app names (service.name: a letter, then letters, digits, ".", "_" or "-"; comma-separated in the environment)',
    default: [],
  },
  {
    path: 'intake.sources.deny',
    schema: leaf.intake_names,
    env: 'list',
    expected: 'a list of app names (service.name: a letter, then letters, digits, ".", "_" or "-"; comma-separated in the environment)',
    default: [],
  },
  ...COLLECTOR_KEYS,
];

/**
 * Keys under a name the operator chooses (`*` stands for it): YAML only, no default.
 * `intake.sources.<service.name>.categories` declares, per attribute key, the values
 * that are categories; any other value of that attribute becomes `other`.
 */
export const CONFIG_PATTERN_KEYS: readonly LeafSpec[] = [
  {
    path: 'intake.sources.*.categories',
    schema: leaf.intake_categories,
    env: 'string',
    expected:
      'a mapping of attribute key -> list of values (at most 50 keys, each a name of letters, digits, ".", "_" or "-"; 1 to 200 values of 1 to 256 characters)',
    default: undefined,
  },
];

/** What `*` stands for in a pattern key: a service.name. */
export const CONFIG_PATTERN_NAME = SAFE_NAME;

/**
 * A chosen name as one segment of a dotted key path: service names may contain dots
 * (`billing.worker`), key paths are split at dots, so a dot in the name is written %2E
 * (never part of a name: no ambiguity). The whole-config schema turns it back.
 */
export function pathSegment(name: string): string {
  return name.replaceAll('.', '%2E');
}
function nameOfSegment(segment: string): string {
  return segment.replaceAll('%2E', '.');
}

export const CONFIG_KEY_MAP: ReadonlyMap<string, LeafSpec> = new Map(CONFIG_KEYS.map((spec) => [spec.path, spec]));

/** Sections (mappings) and the keys each may hold, at any depth; '' is the top level, `*` a name the operator chooses. */
export const CONFIG_SECTIONS: ReadonlyMap<string, readonly string[]> = (() => {
  const sections = new Map<string, string[]>([['', []]]);
  for (const { path } of [...CONFIG_KEYS, ...CONFIG_PATTERN_KEYS]) {
    const parts = path.split('.');
    for (let depth = 0; depth < parts.length; depth++) {
      const section = parts.slice(0, depth).join('.');
      const key = parts[depth] as string;
      if (!sections.has(section)) sections.set(section, []);
      const keys = sections.get(section) as string[];
      if (!keys.includes(key)) keys.push(key);
    }
  }
  return sections;
})();

/** A concrete path with each `*` position of a pattern replaced, or the path itself. */
function patternOf(path: string): string {
  const parts = path.split('.');
  let pattern = '';
  for (const part of parts) {
    const next = pattern === '' ? part : `${pattern}.${part}`;
    if (CONFIG_SECTIONS.has(next) || CONFIG_KEY_MAP.has(next) || CONFIG_PATTERN_KEYS.some((spec) => spec.path === next)) pattern = next;
    else if ((CONFIG_SECTIONS.get(pattern) ?? []).includes('*') && CONFIG_PATTERN_NAME.test(nameOfSegment(part))) pattern = `${pattern}.*`;
    else return path;
  }
  return pattern;
}

/** The keys a section may hold (`*` for a chosen name), or undefined when `path` is not a section. */
export function sectionKeys(path: string): readonly string[] | undefined {
  return CONFIG_SECTIONS.get(patternOf(path));
}

/** The leaf spec of a concrete key path, pattern keys included; undefined when there is none. */
export function leafSpecFor(path: string): LeafSpec | undefined {
  const pattern = patternOf(path);
  return CONFIG_KEY_MAP.get(pattern) ?? CONFIG_PATTERN_KEYS.find((spec) => spec.path === pattern);
}

export const ConfigSchema: z.ZodType<CandorConfig> = z.strictObject({
  telemetry_disabled: leaf.telemetry_disabled,
  telemetry: z.strictObject({
    endpoint,
    interval_s: leaf.interval_s,
    first_delay_s: leaf.first_delay_s,
    details_level: leaf.details_level,
    privacy_contact: leaf.privacy_contact,
    deletion_endpoint: endpoint,
    consent: leaf.consent,
  }),
  sampling: z.strictObject({ interval_s: leaf.sampling_interval_s }),
  service: z.strictObject({ http_port: leaf.http_port }),
  log: z.strictObject({ level: leaf.log_level }),
  intake: z.strictObject({
    otlp: z.strictObject({ enabled: leaf.intake_enabled, port: leaf.intake_port }),
    // YAML shape: { allow, deny, <name>: { categories } }; the config holds { allow, deny, categories: { <name>: ... } }.
    sources: z
      .object({ allow: leaf.intake_names, deny: leaf.intake_names })
      .catchall(z.strictObject({ categories: leaf.intake_categories }))
      .superRefine((value, ctx) => {
        for (const name of Object.keys(value)) {
          if (name !== 'allow' && name !== 'deny' && !CONFIG_PATTERN_NAME.test(nameOfSegment(name)))
            ctx.addIssue({ code: 'custom', path: [name], message: 'not a source name' });
        }
      })
      .transform(({ allow, deny, ...named }) => ({
        allow,
        deny,
        categories: Object.fromEntries(
          Object.entries(named).map(([name, v]) => [nameOfSegment(name), (v as { categories: Record<string, string[]> }).categories]),
        ),
      })),
  }),
  collector: CollectorSchema,
});

/** Sets a dotted key path in a plain nested object, creating sections as needed. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] ?? path] = value;
}

/** Built-in defaults, from the key table (so the docs table and code cannot disagree). */
export function defaultConfig(): CandorConfig {
  const raw: Record<string, unknown> = {};
  for (const spec of CONFIG_KEYS) setPath(raw, spec.path, spec.default);
  return ConfigSchema.parse(raw);
}
