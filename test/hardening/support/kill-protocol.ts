// Shared by the SIGKILL child and the test that reads its lines.

/** Serial numbers of run r are r * RUN_STRIDE + k: a killed run never reaches the next one's. */
export const RUN_STRIDE = 100_000;

/** The consent time the child writes for serial `seq`: distinct per write, so the file shows which write won. */
export function consentAt(seq: number): string {
  return new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
}

export function seqOfConsentAt(at: string | null): number | null {
  if (at === null) return null;
  return Math.round((Date.parse(at) - Date.UTC(2026, 0, 1)) / 1000);
}
