import { z } from 'zod';

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
}

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
};

/** How a value is read from an environment variable (files carry their own YAML types). */
export type EnvKind = 'boolean' | 'integer' | 'string' | 'enum';

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
];

export const CONFIG_KEY_MAP: ReadonlyMap<string, LeafSpec> = new Map(CONFIG_KEYS.map((spec) => [spec.path, spec]));

/** Sections (mappings) and the keys each may hold; '' is the top level. */
export const CONFIG_SECTIONS: ReadonlyMap<string, readonly string[]> = (() => {
  const sections = new Map<string, string[]>([['', []]]);
  for (const { path } of CONFIG_KEYS) {
    const dot = path.indexOf('.');
    const section = dot === -1 ? '' : path.slice(0, dot);
    const key = dot === -1 ? path : path.slice(dot + 1);
    if (!sections.has(section)) {
      sections.set(section, []);
      sections.get('')?.push(section);
    }
    sections.get(section)?.push(key);
  }
  return sections;
})();

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
