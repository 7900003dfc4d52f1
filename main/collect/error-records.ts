// Errors as this machine records them: raw text, kept locally (the crash file, the raw
// preview). What leaves is built from them by the payload's error rules.

/** Candor's main process, its page, or an app reporting through the intake. */
export const ERROR_SOURCES = ['main', 'renderer', 'app'] as const;
export const ERROR_KINDS = ['uncaughtException', 'unhandledRejection', 'reported'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];
export type ErrorKind = (typeof ERROR_KINDS)[number];

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
