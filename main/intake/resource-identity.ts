import { OS_TYPES, OTHER, SDK_LANGUAGES } from '../anonymize/categories.js';
import type { NameChecker } from './safe-names.js';
import type { SourceSdk } from './source-types.js';
import { isObj, list, scalarText, stringOf } from './otlp-values.js';

// What Candor reads of an OTLP resource: an allow-list of six attributes. Everything
// else (host.*, process.*, user and container ids, cloud account and instance ids,
// k8s names, custom attributes) is never read, so it is never held or sent.

export interface SourceIdentity {
  /** service.name: the source. */
  name: string;
  version: string | null;
  sdk: SourceSdk;
  os_type: string | null;
}

export type IdentityResult =
  { ok: true; identity: SourceIdentity } | { ok: false; reason: 'service_name_missing' | 'service_name_unsafe'; message: string };

const READ = new Set([
  'service.name',
  'service.version',
  'telemetry.sdk.language',
  'telemetry.sdk.name',
  'telemetry.sdk.version',
  'os.type',
]);

export const SERVICE_NAME_HINT =
  'set service.name (OTEL_SERVICE_NAME) to a name that starts with a letter and has only letters, digits, ".", "_" and "-" (at most 128)';

export function readIdentity(resource: unknown, names: NameChecker): IdentityResult {
  const found = new Map<string, string>();
  const attributes = isObj(resource) ? list(resource['attributes']) : null;
  for (const kv of attributes ?? []) {
    if (!isObj(kv)) continue;
    const key = kv['key'];
    if (typeof key !== 'string' || !READ.has(key)) continue;
    const value = key === 'service.name' ? stringOf(kv['value']) : scalarText(kv['value']);
    if (value !== null) found.set(key, value);
  }
  const service = found.get('service.name');
  // The SDKs' fallback when the app sets none: it names no app, so it is no source.
  if (service === undefined || service === '' || service.startsWith('unknown_service')) {
    return {
      ok: false,
      reason: 'service_name_missing',
      message: `Candor keeps data only from apps that name themselves: ${SERVICE_NAME_HINT}`,
    };
  }
  if (names.name(service) !== null) {
    return { ok: false, reason: 'service_name_unsafe', message: `service.name is not accepted: ${SERVICE_NAME_HINT}` };
  }
  const versionOf = (key: string): string | null => {
    const v = found.get(key);
    return v !== undefined && names.version(v) === null ? v : null;
  };
  const oneOf = (key: string, allowed: readonly string[]): string | null => {
    const v = found.get(key);
    if (v === undefined) return null;
    return allowed.includes(v) ? v : OTHER;
  };
  const sdkName = found.get('telemetry.sdk.name');
  return {
    ok: true,
    identity: {
      name: service,
      version: versionOf('service.version'),
      sdk: {
        language: oneOf('telemetry.sdk.language', SDK_LANGUAGES),
        name: sdkName !== undefined && names.name(sdkName) === null ? sdkName : null,
        version: versionOf('telemetry.sdk.version'),
      },
      os_type: oneOf('os.type', OS_TYPES),
    },
  };
}
