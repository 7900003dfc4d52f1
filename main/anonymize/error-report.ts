import { knownErrorCode } from './error-code.js';
import { errorTemplate, type TemplateContext } from './error-template.js';
import { safeErrorType } from './error-type.js';
import { MAX_FRAMES, safeFrames, type FrameRoots, type SafeFrame } from './frames.js';

// One captured error as it may leave, built from safe parts only: the type, a known
// code, the message template and the top frames. The raw text stays on the machine.

export interface RawErrorParts {
  type: string;
  /** The error's `code` property when it had one (string or number). */
  code?: unknown;
  message: string;
  stack?: string;
}

export interface SafeErrorParts {
  type: string;
  code: string | null;
  message: string;
  frames: SafeFrame[];
}

export interface SafeErrorContext {
  template?: TemplateContext;
  roots: FrameRoots;
  /** Frames kept (default 12). */
  maxFrames?: number;
}

/**
 * The error as it may leave. Only the `at ...` lines of the stack are read as frames:
 * the lines above them repeat the type and the raw message, which never leave.
 */
export function safeError(error: RawErrorParts, ctx: SafeErrorContext): SafeErrorParts {
  return {
    type: safeErrorType(error.type, ctx.template),
    code: knownErrorCode(error.code, error.message),
    message: errorTemplate(error.message, ctx.template),
    frames: error.stack ? safeFrames(error.stack, ctx.roots, ctx.maxFrames ?? MAX_FRAMES, ctx.template) : [],
  };
}
