// A synthetic level-4 payload of ~10,000 leaf fields: the agent's real raw payload
// (so every section is the real shape) with its error list and metric detail grown
// to hundreds of entries whose free text carries what must not survive: home paths,
// user and host names, e-mail and IP addresses, URLs with tokens, UUIDs. Errors go
// through the same raw form the agent builds (errorsSection: code, parsed frames).

const USER = 'alice';
const HOST = 'alice-laptop';
export const SYNTHETIC_SCRUB = { homeDirs: [`/home/${USER}`], userNames: [USER], hostNames: [HOST] };

const MESSAGES = [
  (i) => `ENOENT: no such file or directory, open '/home/${USER}/projects/acme-corp/report-${i}.csv'`,
  (i) => `connect ECONNREFUSED 10.20.${i % 250}.7:5432 (db at ${HOST}.corp.acme.com)`,
  (i) =>
    `request to https://api.acme.com/v1/users/${1000 + i}?token=sk_live_${(i * 7919).toString(16)}abcdef failed, reason: socket hang up`,
  (i) =>
    `user ${USER} <${USER}.smith+${i}@acme-corp.com> has no access to workspace 3f2b${String(i).padStart(4, '0')}-9c1d-4e8a-b7f6-0a1b2c3d4e5f`,
  (i) => `Unexpected token < in JSON at position ${i} while parsing C:\\Users\\${USER}\\AppData\\Roaming\\Candor\\cache-${i}.json`,
];

function stack(i) {
  return [
    `Error: ${MESSAGES[i % MESSAGES.length](i)}`,
    `    at readReport (/home/${USER}/projects/acme-corp/node_modules/reporter/lib/read.js:${40 + (i % 60)}:13)`,
    `    at async Promise.all (index ${i % 8})`,
    `    at async sync (file:///home/${USER}/projects/acme-corp/src/sync-${i % 17}.mjs:120:5)`,
    `    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
  ].join('\n');
}

/** Counts leaves (strings, numbers, booleans, null) in a JSON value. */
export function countLeaves(value) {
  if (value === null || typeof value !== 'object') return 1;
  let n = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) n += countLeaves(v);
  return n;
}

/** `errorsSection` from dist/main/report/raw-payload.js: recorded errors as the raw payload holds them. */
export function syntheticPayload(base, errorsSection, targetFields = 10_000) {
  const payload = structuredClone(base);
  const captured = [];
  const detail = [];
  const now = new Date('2025-06-01T12:34:56.789Z').getTime();
  let i = 0;
  // Alternate one error (~30 leaves with its frames) and one histogram detail (11 leaves) until the target.
  while (countLeaves(payload) + captured.length * 30 + detail.length * 11 < targetFields) {
    captured.push({
      fingerprint: `fp-${i}-${(i * 2654435761) >>> 0}`,
      source: i % 5 === 0 ? 'renderer' : 'main',
      kind: ['uncaughtException', 'unhandledRejection', 'reported'][i % 3],
      type: i % 4 === 0 ? 'TypeError' : 'Error',
      code: null,
      message: MESSAGES[i % MESSAGES.length](i),
      stack: stack(i),
      count: 1 + ((i * 37) % 1000),
      first_seen: new Date(now - i * 60_000).toISOString(),
      last_seen: new Date(now - i * 1000).toISOString(),
    });
    detail.push({
      name: `app_request_${i % 40}_ms`,
      kind: 'histogram',
      labels: {},
      hashed_labels: { route: `/api/v1/items/${i}`, host: `${HOST}-${i % 3}` },
      stats: { count: 100 + i, min: 0.01 * i, avg: 3.5 + i, max: 1000 + i * 13.7, p50: 2.25, p95: 40.5 + i, p99: 120.125 + i },
    });
    i++;
  }
  payload.errors = errorsSection({ captured, dropped: 0 });
  payload.performance = { ...payload.performance, detail: [...(payload.performance?.detail ?? []), ...detail] };
  return payload;
}
