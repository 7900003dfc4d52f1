// Time units become milliseconds, the unit of Candor's own timers and of its bucket
// layout (1 µs .. 2.8 h in fine buckets), so `http.server.request.duration` in seconds
// keeps its sub-millisecond resolution and every source's timers read alike. Other
// units (By, 1, {request}, ...) are kept as the app states them, values unchanged.

const TO_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1e3,
  min: 6e4,
  h: 3.6e6,
  d: 8.64e7,
};

/** The unit reported for a metric and the factor its values are multiplied by. */
export function reportedUnit(unit: string): { unit: string; scale: number } {
  const factor = TO_MS[unit];
  return factor === undefined ? { unit, scale: 1 } : { unit: 'ms', scale: factor };
}
