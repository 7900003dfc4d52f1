import type { CallName } from '../main/api.js';

// The HTTP method and path of every call, copied from `calls` in main/api.ts
// (importing `calls` would pull zod into the bundle). The Record type makes the
// compiler demand every call; test/renderer/routes.test.ts checks the values.

export interface Route {
  method: 'GET' | 'POST';
  path: string;
}

export const routes: Record<CallName, Route> = {
  preview: { method: 'GET', path: '/preview' },
  status: { method: 'GET', path: '/status' },
  samples: { method: 'GET', path: '/samples' },
  setConsent: { method: 'POST', path: '/consent' },
  pause: { method: 'POST', path: '/pause' },
  resume: { method: 'POST', path: '/resume' },
  disable: { method: 'POST', path: '/disable' },
  enable: { method: 'POST', path: '/enable' },
  exportReport: { method: 'POST', path: '/export' },
  history: { method: 'GET', path: '/history' },
  historyBody: { method: 'GET', path: '/history/body' },
  clearHistory: { method: 'POST', path: '/history/clear' },
  instanceIds: { method: 'GET', path: '/ids' },
  requestDeletion: { method: 'POST', path: '/deletion-request' },
  sources: { method: 'GET', path: '/sources' },
  answerSource: { method: 'POST', path: '/sources/answer' },
  reportError: { method: 'POST', path: '/errors' },
};

/** GET inputs travel as query parameters: numbers in decimal, booleans as 'true'/'false'. */
export function queryString(input: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new Error(`${key}: cannot be sent as a query parameter`);
    }
    params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
