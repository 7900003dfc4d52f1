/** The deletion request as a person reads it: what to send, and to whom, when nothing sends it for them. */
export function deletionText(ids: readonly string[], contact: string | null): string {
  const to = contact
    ? `Contact: ${contact}`
    : 'Contact: no privacy contact is configured; send this to whoever runs the telemetry collector.';
  if (ids.length === 0) return `This machine has not delivered any Candor telemetry, so there is nothing to delete.\n${to}\n`;
  return ['Please delete all telemetry data for these Candor instance ids:', ...ids.map((id) => `  ${id}`), to, ''].join('\n');
}
