import type { FieldChange, PreviewResult } from '../api.js';
import { applySchema, applySchemaAt } from '../anonymize/apply.js';
import type { ErrorContext } from '../anonymize/rules.js';
import type { ScrubContext } from '../anonymize/text.js';
import type { Payload, SourceSection } from './payload-schema.js';
import { MAX_LEVEL } from './payload-schema.js';
import { assertValidPayload, payloadSchema } from './validate.js';

export interface AnonymizeContext {
  key: Buffer;
  scrub: ScrubContext;
  /** Words an app declares, this machine's names (never kept), and the app's roots for stack frames. */
  errors?: ErrorContext;
}

/** Levels above 4 mean 4; negatives and fractions are the caller's error. */
export function clampLevel(level: number): number {
  if (!Number.isInteger(level) || level < 0) throw new RangeError(`details_level must be a non-negative integer, got ${String(level)}`);
  return Math.min(level, MAX_LEVEL);
}

/**
 * Cut the raw payload to a level and (optionally) anonymize it, through the schema
 * walker: fields not in the schema are dropped, so only allow-listed fields remain.
 * The result is validated against the published JSON Schema before it is returned.
 */
export function makeReport(raw: Payload, level: number, anonymize: boolean, ctx: AnonymizeContext): Omit<PreviewResult, 'pending'> {
  const lvl = clampLevel(level);
  const input: Payload = { ...raw, details_level: lvl, anonymized: anonymize };
  const result = applySchema(input, payloadSchema(), { level: lvl, anonymize, key: ctx.key, scrub: ctx.scrub, errors: ctx.errors });
  assertValidPayload(result.payload);
  return { payload: result.payload as Payload, changes: result.changes as FieldChange[] };
}

/**
 * Pending sources as they would leave once allowed: cut to the level and anonymized
 * like the payload's `sources`, for the preview only (they are never in a payload).
 */
export function previewPendingSources(
  raw: SourceSection[],
  level: number,
  anonymize: boolean,
  ctx: AnonymizeContext,
): { sources: SourceSection[]; changes: FieldChange[] } {
  const lvl = clampLevel(level);
  const result = applySchemaAt(raw, payloadSchema(), 'sources', {
    level: lvl,
    anonymize,
    key: ctx.key,
    scrub: ctx.scrub,
    errors: ctx.errors,
  });
  return { sources: (result.payload as SourceSection[] | undefined) ?? [], changes: result.changes as FieldChange[] };
}
