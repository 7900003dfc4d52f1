import type { ServerResponse } from 'node:http';
import type { AgentApi } from '../api.js';
import { sendEnvelope } from './http-envelope.js';
import { QueryError } from './http-input.js';

const KNOWN = new Set(['details_level', 'anonymize', 'timeout']);

function oneParam(query: URLSearchParams, name: string): string | null {
  const values = query.getAll(name);
  if (values.length > 1) throw new QueryError(`${name}: given ${values.length} times`);
  return values[0] ?? null;
}

/**
 * Qdrant-compatible `GET /telemetry?details_level=N&anonymize=true|false&timeout=S`.
 * Defaults: details_level 0, anonymize true (Qdrant defaults to false; Candor's local
 * API errs on the side of showing what would be sent), timeout 10 s.
 */
export async function telemetryRoute(api: AgentApi, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const started = performance.now();
  for (const key of query.keys())
    if (!KNOWN.has(key)) throw new QueryError(`unknown query parameter ${key} (expected details_level, anonymize, timeout)`);

  const levelText = oneParam(query, 'details_level') ?? '0';
  if (!/^\d{1,9}$/.test(levelText))
    throw new QueryError(`details_level: expected a non-negative integer, got ${JSON.stringify(levelText)}`);
  const anonymizeText = oneParam(query, 'anonymize') ?? 'true';
  if (anonymizeText !== 'true' && anonymizeText !== 'false')
    throw new QueryError(`anonymize: expected true or false, got ${JSON.stringify(anonymizeText)}`);
  const timeoutText = oneParam(query, 'timeout') ?? '10';
  const timeoutS = Number(timeoutText);
  if (!/^\d+(\.\d+)?$/.test(timeoutText) || timeoutS <= 0 || timeoutS > 3600)
    throw new QueryError(`timeout: expected seconds between 0 and 3600, got ${JSON.stringify(timeoutText)}`);

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`telemetry not ready within timeout=${timeoutText} s`)), timeoutS * 1000);
  });
  try {
    const { payload } = await Promise.race([
      api.preview({ details_level: Number(levelText), anonymize: anonymizeText === 'true' }),
      timedOut,
    ]);
    sendEnvelope(res, 200, started, { result: payload, status: 'ok' });
  } catch (error) {
    if (error instanceof TimeoutError) sendEnvelope(res, 408, started, { status: { error: error.message } });
    else throw error;
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutError extends Error {}
