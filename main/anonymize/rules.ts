import type { ChangeAction } from '../api.js';
import { cpuVendorCategory, distroCategory, gpuVendorCategory, hypervisorCategory, OTHER, runModeCategory } from './categories.js';
import { knownErrorCode } from './error-code.js';
import { errorTemplate, type TemplateContext } from './error-template.js';
import { safeErrorType } from './error-type.js';
import { safeFileLocation, safeFunctionName, type FrameRoots } from './frames.js';
import { hardwareModel, leadingVersion } from './hardware-model.js';
import type { Rule } from './rule-names.js';
import { hashName } from './hash.js';
import { coarseNumber, coarseSetting } from './numbers.js';
import { diskBucketGb, ramBucketGib } from './sizes.js';
import { scrubText, type ScrubContext } from './text.js';
import { coarsenTime } from './time.js';

// The anonymizer's rules, one table: what each does to a value, what the preview calls
// the change, what docs/payload.md says, and which pattern or list the published wire
// schema enforces so a receiver can check a report was really anonymized. A rule's
// output is built from safe parts (a list entry, a rounded number, a per-start hash),
// never from the input with bits removed, except `scrub`, the free-text second line.

/** The value cannot be kept under its rule: the field is left out. */
export const DROP = Symbol('drop');

/** What the error rules need: the words an app declares and this machine's names (denied), and the app's own roots. */
export interface ErrorContext {
  template: TemplateContext;
  roots: FrameRoots;
}

export const NO_ERROR_CONTEXT: ErrorContext = { template: {}, roots: { appRoots: [] } };

export interface RuleContext {
  /** The per-start hashing key (memory only). */
  key: Buffer;
  scrub: ScrubContext;
  errors: ErrorContext;
  /** The field's declared category list (x-categories), for `category`. */
  categories: readonly string[] | null;
  /** The object the field is in (its input), for a `contextual` rule; null in an array or at the top. */
  siblings?: Readonly<Record<string, unknown>> | null;
}

export interface RuleSpec {
  /** How the preview names the change. */
  action: ChangeAction;
  /** One line for docs/payload.md. */
  doc: string;
  apply(value: unknown, ctx: RuleContext): unknown;
  /** JSON Schema keywords the wire schema adds to the field, so a receiver can check it. */
  wire?: (categories: readonly string[] | null) => Record<string, unknown>;
  /**
   * False when the rule's output, run through the rule again, may change (an app-relative
   * path is relative to a root only the sender knows): a receiver checks such a field by
   * its wire pattern instead of by running the rule again.
   */
  idempotent?: false;
  /**
   * Whether, in this context, the rule reads `siblings`: then its result is not a function
   * of the value alone, and it is never memoised.
   */
  contextual?: (errors: ErrorContext) => boolean;
}

const text =
  (map: (value: string, ctx: RuleContext) => string) =>
  (value: unknown, ctx: RuleContext): unknown =>
    typeof value === 'string' ? map(value, ctx) : DROP;
const numeric =
  (map: (value: number) => number) =>
  (value: unknown): unknown =>
    typeof value === 'number' && Number.isFinite(value) ? map(value) : DROP;

// A value already on the field's list is kept as it is: a classifier's output is its own
// fixed point, which is how a receiver checks that a report was categorized.
const classifier = (classify: (value: string) => string): Pick<RuleSpec, 'apply' | 'wire' | 'action'> => ({
  action: 'categorized',
  apply: text((value, ctx) => (ctx.categories?.includes(value) ? value : classify(value))),
  wire: (categories) => (categories ? { enum: [...categories] } : {}),
});

const time =
  (unit: 'minute' | 'hour'): RuleSpec['apply'] =>
  (value) => {
    if (typeof value !== 'string') return DROP;
    try {
      return coarsenTime(value, unit);
    } catch {
      return DROP; // not a time: there is nothing safe to keep
    }
  };

export const RULES = {
  keep: { action: 'dropped', doc: 'kept as is: a boolean, a value from a fixed list, or a value the code defines', apply: (v) => v },
  round: {
    action: 'rounded',
    doc: 'integers of 1,000,000 and above keep six significant digits (123456789 → 123456000); numbers with a fraction keep three (0.123456 → 0.123)',
    apply: numeric(coarseNumber),
  },
  setting: {
    action: 'rounded',
    doc: 'an operator-chosen number, three significant digits (3607 → 3610), so an odd value cannot tell one install apart',
    apply: numeric(coarseSetting),
  },
  'ram-bucket': {
    action: 'rounded',
    doc: 'RAM in GiB as the marketed size it belongs to (15.5 → 16, 23.4 → 24)',
    apply: numeric(ramBucketGib),
  },
  'disk-bucket': {
    action: 'rounded',
    doc: 'disk size in GB as the marketed size it belongs to, a power of two from 8 GB (500 → 512, 1000.2 → 1024)',
    apply: numeric(diskBucketGb),
  },
  category: {
    doc: "a value from the field's list; anything else leaves as `other`",
    ...classifier((value) => value),
    apply: (value, ctx) => (typeof value !== 'string' ? DROP : ctx.categories === null || ctx.categories.includes(value) ? value : OTHER),
  },
  'run-mode': { doc: 'RUN_MODE as one of the common names; any other name leaves as `other`', ...classifier(runModeCategory) },
  distro: { doc: 'the OS distribution as one of the listed names, else `other`', ...classifier(distroCategory) },
  'cpu-vendor': { doc: 'the CPU vendor id as one of the listed vendors, else `other`', ...classifier(cpuVendorCategory) },
  'gpu-vendor': { doc: 'the GPU vendor as one of the listed vendors, else `other`', ...classifier(gpuVendorCategory) },
  hypervisor: { doc: 'the hypervisor as one of the listed names (`none` outside a VM), else `other`', ...classifier(hypervisorCategory) },
  'unavailable-reason': {
    doc: 'why a section is missing, as timeout, malformed or failed; the message itself stays on this machine',
    ...classifier((value) =>
      /\btime(?:d)? ?out\b/i.test(value)
        ? 'timeout'
        : /unexpected shape|malformed/i.test(value)
          ? 'malformed'
          : /no samples/i.test(value)
            ? 'no-data'
            : 'failed',
    ),
  },
  version: {
    action: 'categorized',
    doc: 'the leading dotted version number only (6.1.0-18-amd64 → 6.1.0), else `other`',
    apply: text(leadingVersion),
    wire: () => ({ pattern: '^(?:\\d{1,6}(?:\\.\\d{1,6}){0,3}|other)$' }),
  },
  'hardware-model': {
    action: 'scrubbed',
    doc: 'a CPU or GPU model name rebuilt from hardware words and model numbers only (other words are left out), else `other`',
    apply: text(hardwareModel),
  },
  hash: {
    action: 'hashed',
    doc: 'HMAC-SHA-256 under a random key made at each start and kept in memory only, cut to 16 hex characters (`h:` prefix): equal values are equal within one report, and never across starts',
    apply: text((value, ctx) => hashName(ctx.key, value)),
    wire: () => ({ pattern: '^h:[0-9a-f]{16}$' }),
  },
  scrub: {
    action: 'scrubbed',
    doc: 'free text with home paths, user and host names, addresses, e-mails, URLs, ids and tokens replaced by typed tokens (a second line only)',
    apply: text((value, ctx) => scrubText(value, ctx.scrub)),
  },
  'error-type': {
    action: 'templated',
    doc: 'an error type kept when it is a built-in or library error class, or made of known words (ValidationError); else `<type>`',
    apply: text((value, ctx) => safeErrorType(value, ctx.errors.template)),
    wire: () => ({ pattern: '^(?:[A-Za-z_$][\\w$]{0,127}|<type>)$' }),
  },
  'error-code': {
    action: 'categorized',
    doc: 'an error code kept only when it is on the known lists (errno names, Node ERR_* codes, library codes, SQLSTATE_*, HTTP_*); else null',
    apply: (value) => (typeof value === 'string' ? knownErrorCode(value, '') : DROP),
    wire: () => ({ pattern: '^[A-Z][A-Z0-9_]{1,79}$' }),
  },
  template: {
    action: 'templated',
    doc: 'an error message rebuilt from the words of Node, V8, libuv, Electron and library error messages (and words an app declares); every other token becomes a typed placeholder such as `<path>`, `<number>`, `<name>`',
    apply: text((value, ctx) => scrubText(errorTemplate(value, ctx.errors.template), ctx.scrub)),
  },
  'frame-fn': {
    action: 'templated',
    doc: "a stack frame's function: an identifier path (Class.method, async x, new X), else `<fn>`; in a file that is not the app's, a popular package's or Node's, only when made of vocabulary words",
    // Only a sender, which knows the app's roots, judges whose code a frame is.
    contextual: (errors) => (errors.roots.appRoots ?? []).length > 0,
    apply: text((value, ctx) =>
      safeFunctionName(value, { file: ctx.siblings?.['file'], roots: ctx.errors.roots, template: ctx.errors.template }),
    ),
  },
  'frame-file': {
    action: 'templated',
    doc: "a stack frame's file: the path relative to the app, the name of a popular public npm package, a `node:` module, else `<external>` or `<package>`",
    apply: text((value, ctx) => safeFileLocation(value, ctx.errors.roots)),
    wire: () => ({
      pattern:
        '^(?:node:[\\w/.-]{1,100}|electron/js2c/[\\w/.-]{1,100}|<external>|<package>|[A-Za-z0-9_.@+-]{1,64}(?:/[A-Za-z0-9_.@+-]{1,64}){0,15})$',
    }),
    idempotent: false,
  },
  local: {
    action: 'dropped',
    doc: 'shown only on this machine (previews, raw exports); never sent, and not in the wire schema',
    apply: () => DROP,
  },
  'time-minute': {
    action: 'coarsened',
    doc: 'ISO time floored to the minute (UTC)',
    apply: time('minute'),
    wire: () => ({ pattern: 'T\\d{2}:\\d{2}:00(?:\\.000)?Z$' }),
  },
  'time-hour': {
    action: 'coarsened',
    doc: 'ISO time floored to the hour (UTC)',
    apply: time('hour'),
    wire: () => ({ pattern: 'T\\d{2}:00:00(?:\\.000)?Z$' }),
  },
} satisfies Record<Rule, RuleSpec>;

export { RULE_NAMES, type Rule } from './rule-names.js';

export function ruleSpec(name: string): RuleSpec | null {
  return Object.hasOwn(RULES, name) ? ((RULES as Record<string, RuleSpec>)[name] ?? null) : null;
}
