// Errors as this machine records them: raw text, kept locally (the crash file, the raw
// preview). What leaves is built from them by the payload's error rules.

export type ErrorSource = 'main' | 'renderer';
export type ErrorKind = 'uncaughtException' | 'unhandledRejection' | 'reported';

export interface RecordedError {
  /** sha256 of the type and the top frames: groups repeats of one error on this machine. */
  fingerprint: string;
  source: ErrorSource;
  kind: ErrorKind;
  type: string;
  /** The error's `code` property (ENOENT, ERR_INVALID_ARG_TYPE, 404), as text; null without one. */
  code: string | null;
  message: string;
  stack: string;
  count: number;
  first_seen: string;
  last_seen: string;
}

export interface RecordedErrors {
  captured: RecordedError[];
  dropped: number;
}
