import type { FieldChange } from '../main/api.js';

// What the payload tree shows, apart from the tree itself (no DOM here: pure view code
// and its tests in Node import it).

export interface TreeData {
  payload: unknown;
  changes: FieldChange[];
  /** True when `payload` holds raw (not anonymized) values. */
  raw: boolean;
  /** A body already delivered: shown as it was sent, with no change legend. */
  asSent?: boolean;
}
