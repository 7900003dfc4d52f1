import { diskGbFromBytes, ramGibFromBytes, v1Categories } from './buckets.js';
import type { ReportItem } from './store/store.js';
import { emptyRows, type Row, type TableRows } from './store/tables.js';

// Payload -> rows: the one place that knows both the wire format and the tables. It
// reads a report that has already passed the schema of its version, so it only picks
// fields; a field a version does not have becomes '' or 0 ("unknown"). Schema v1 sends
// exact sizes and free-text vendors, which are bucketed here; v2 sends buckets,
// categories, histograms and report_id, which are taken as they are, and so are
// `sources` and errors as safe parts (code, frames) where a report carries them.
// Column order follows collector/store/tables.ts.

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : null;
}

/** A section that is there and readable (not `{unavailable: true, reason}`). */
function section(parent: Obj | null, key: string): Obj | null {
  const value = obj(parent?.[key]);
  return value === null || value['unavailable'] === true ? null : value;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** '2026-11-29T17:31:00.000Z' -> '2026-11-29 17:31:00' (the stores' UTC datetime text). */
export function sqlDateTime(iso: string): string {
  const ms = Date.parse(iso);
  const date = new Date(Number.isFinite(ms) ? ms : 0);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A report of schema v1 carries no report_id: its body's SHA-256 stands in. A retry
 * sends the very bytes of the outbox file, so it maps to the same id. Written as a
 * version-8 (custom) UUID so it can never equal a v4 report_id.
 */
export function uuidFromDigest(hex: string): string {
  const h = hex.toLowerCase().slice(0, 32).padEnd(32, '0');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The function and file of the first frame: errors group by it across versions (lines move). */
function topFrameV2(frames: unknown): string {
  const first = obj(list(frames)[0]);
  if (first === null) return '';
  return `${str(first['fn']) || '<fn>'} (${str(first['file']) || '<external>'})`;
}

const V1_FRAME = /^\s*at (?:(.+?) \()?(.+?)(?::\d+){0,2}\)?$/;

function topFrameV1(stack: string): string {
  const line = stack.split('\n').find((l) => /^\s*at /.test(l));
  const match = line === undefined ? null : V1_FRAME.exec(line);
  if (match === null) return '';
  return `${match[1] ?? '<anonymous>'} (${match[2] ?? ''})`;
}

interface Context {
  receivedOn: string;
  reportId: string;
  instanceId: string;
  rows: TableRows;
}

function key(ctx: Context): [string, string, string] {
  return [ctx.receivedOn, ctx.reportId, ctx.instanceId];
}

function addTimers(ctx: Context, source: string, timers: unknown): void {
  for (const [metric, value] of Object.entries(obj(timers) ?? {})) {
    const t = obj(value);
    if (t === null) continue;
    const count = num(t['count']);
    // v2: {layout, index: [...], count: [...]}, the non-empty buckets as two parallel lists.
    const histogram = obj(t['histogram']);
    const indexes = list(histogram?.['index']).map(num);
    const counts = list(histogram?.['count']).map(num);
    if (counts.length !== indexes.length) counts.length = indexes.length = Math.min(counts.length, indexes.length);
    ctx.rows.timers.push([...key(ctx), source, metric, count, num(t['min']), num(t['max']), num(t['avg']) * count, indexes, counts]);
  }
}

function addCounters(ctx: Context, source: string, counters: unknown): void {
  for (const [metric, value] of Object.entries(obj(counters) ?? {})) ctx.rows.counters.push([...key(ctx), source, metric, num(value)]);
}

function addErrors(ctx: Context, source: string, version: string, errors: unknown): void {
  for (const value of list(obj(errors)?.['captured'])) {
    const e = obj(value);
    if (e === null) continue;
    const seq = ctx.rows.errors.length;
    // Frames as safe parts (`frames`) where the report has them, else the first line of the scrubbed stack.
    const topFrame = Array.isArray(e['frames']) ? topFrameV2(e['frames']) : topFrameV1(str(e['stack']));
    const code = typeof e['code'] === 'string' ? e['code'] : '';
    ctx.rows.errors.push([
      ...key(ctx),
      seq,
      source,
      version,
      str(e['kind']),
      str(e['type']),
      code,
      str(e['message']),
      topFrame,
      num(e['count']),
    ]);
  }
}

export interface RowContext {
  /** Day of arrival, 'YYYY-MM-DD' (UTC). */
  receivedOn: string;
  /** SHA-256 (hex) of the inflated body: the report id of reports that carry none (v1). */
  bodyDigest: string;
}

/** The rows one validated report becomes. */
export function reportRows(payload: unknown, version: number, context: RowContext): ReportItem {
  const p = obj(payload) ?? {};
  const reportId = typeof p['report_id'] === 'string' ? p['report_id'].toLowerCase() : uuidFromDigest(context.bodyDigest);
  const instanceId = str(p['id']).toLowerCase();
  const ctx: Context = { receivedOn: context.receivedOn, reportId, instanceId, rows: emptyRows() };
  const app = obj(p['app']) ?? {};
  const system = obj(p['system']);
  const os = section(system, 'os');
  const cpu = section(system, 'cpu');
  const memory = section(system, 'memory');
  const virt = section(system, 'virtualization');
  const errors = obj(p['errors']);

  const ramGib = memory === null ? 0 : version === 1 ? ramGibFromBytes(num(memory['total_bytes'])) : num(memory['total_gib']);
  const virtualization = virt === null ? '' : virt['container'] === true ? 'container' : virt['virtual'] === true ? 'vm' : 'none';
  const report: Row = [
    ...key(ctx),
    sqlDateTime(str(p['generated_at'])),
    version,
    num(p['details_level']),
    str(app['version']),
    str(app['mode']),
    str(app['node_version']),
    str(app['electron_version']),
    str(os?.['platform']),
    str(os?.['arch']),
    version === 1 ? v1Categories.distro(str(os?.['distro'])) : str(os?.['distro']),
    str(os?.['release']),
    version === 1 ? v1Categories.cpuVendor(str(cpu?.['vendor'])) : str(cpu?.['vendor']),
    num(cpu?.['cores']),
    num(cpu?.['physical_cores']),
    ramGib,
    virtualization,
    virt === null ? '' : version === 1 ? v1Categories.hypervisor(str(virt['hypervisor'])) : str(virt['hypervisor']),
    num(obj(p['delivery'])?.['dropped_reports']),
    num(errors?.['dropped']),
  ];
  ctx.rows.reports.push(report);

  for (const value of list(section(system, 'disks')?.['devices'])) {
    const disk = obj(value);
    if (disk === null) continue;
    const size = version === 1 ? diskGbFromBytes(num(disk['size_bytes'])) : num(disk['size_gb']);
    ctx.rows.disks.push([...key(ctx), str(disk['type']), size]);
  }
  for (const value of list(section(system, 'gpus')?.['devices'])) {
    const gpu = obj(value);
    if (gpu === null) continue;
    const vendor = version === 1 ? v1Categories.gpuVendor(str(gpu['vendor'])) : str(gpu['vendor']);
    ctx.rows.gpus.push([...key(ctx), vendor]);
  }

  const performance = obj(p['performance']);
  addTimers(ctx, '', performance?.['timers']);
  addCounters(ctx, '', performance?.['counters']);
  addErrors(ctx, '', str(app['version']), errors);

  for (const value of list(p['sources'])) {
    const source = obj(value);
    if (source === null) continue;
    const name = str(source['name']);
    const sdk = obj(source['sdk']) ?? {};
    ctx.rows.sources.push([...key(ctx), name, str(source['version']), str(sdk['language']), str(sdk['name']), str(sdk['version'])]);
    addTimers(ctx, name, source['timers']);
    addCounters(ctx, name, source['counters']);
    addErrors(ctx, name, str(source['version']), source['errors']);
  }
  return { reportId, instanceId, rows: ctx.rows };
}
