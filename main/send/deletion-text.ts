/** The deletion request as a person reads it: what to send, and to whom, when nothing sends it for them. */
export function deletionText(ids: readonly string[], contact: string | null): string {
  const to = contact
    ? `Contact: ${contact}`
    : 'Contact: no privacy contact is configured; send this to whoever runs the telemetry collector.';
  if (ids.length === 0) return `This machine has not delivered any Candor telemetry, so there is nothing to delete.\n${to}\n`;
  return ['Please delete all telemetry data for these Candor instance ids:', ...ids.map((id) => `  ${id}`), to, ''].join('\n');
}

/** One line of `candor history` for a delivered deletion request. */
export function deletionReceiptLine(receipt: {
  requested_at: string;
  ids: readonly string[];
  deleted_at: string | null;
  rows_deleted: number | null;
  confirmed_at: string;
}): string {
  const what = `deletion request of ${receipt.requested_at} for ${receipt.ids.length} instance id(s)`;
  if (receipt.deleted_at === null) return `${what}: delivered on ${receipt.confirmed_at}; the collector sent no receipt`;
  return `${what}: deleted on ${receipt.deleted_at} (${receipt.rows_deleted ?? 0} rows at the collector)`;
}
