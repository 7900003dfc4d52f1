// Types of bench/fleet.mjs for the TypeScript tests that use the same fleet.
export function seeded(seed: number): () => number;
export interface FleetReport {
  payload: Record<string, unknown> & { id: string; schema_version: number; report_id?: string };
  receivedOn: string;
}
export function fleetReports(options: {
  seed?: number;
  reports: number;
  version?: 1 | 2;
  now?: Date;
  days?: number;
}): Generator<FleetReport>;
