import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, type CallName } from '../../main/api.js';
import { startHeadless, type HeadlessHandle } from '../../main/headless.js';
import { APP_ROOT } from '../../main/version.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';

// docs/api.md against the code: every call of the `calls` table has its row (name, method
// and path), and every field a real agent answers in its status, preview, history and
// sources is named in the page. A call or field added without its documentation fails here.

const DOC = readFileSync(join(APP_ROOT, 'docs/api.md'), 'utf8');

let box: Sandbox;
let agent: HeadlessHandle;

async function get(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${agent.port}${path}`, { headers: { Authorization: `Bearer ${agent.token}` } });
  expect(response.status, path).toBe(200);
  return ((await response.json()) as { result: Record<string, unknown> }).result;
}

/** The section of the page under this heading, up to the next heading of any level. */
function section(heading: string): string {
  const start = DOC.indexOf(`${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rest = DOC.slice(start + heading.length);
  const end = rest.search(/\n#{2,3} /);
  return end === -1 ? rest : rest.slice(0, end);
}

const named = (text: string, key: string): boolean => text.includes(`\`${key}\``) || new RegExp(`[{,] ?${key}[,}]`).test(text);

beforeAll(async () => {
  box = sandbox();
  agent = await startHeadless({ dataDir: box.dataDir, cwd: box.cwd, env: { CANDOR__INTAKE__OTLP__PORT: '0' }, port: 0 });
});

afterAll(async () => {
  await agent.close();
  box.cleanup();
});

describe('docs/api.md', () => {
  it('has a row for every call, with its method and path', () => {
    const table = section('## The AgentApi calls');
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(Object.keys(calls).length);
    for (const name of Object.keys(calls) as CallName[]) {
      const { method, path } = calls[name].http;
      const row = rows.find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      expect(row, name).toContain(`${method} \`${path}\``);
    }
  });

  it('names every field of the status, the preview, the history and the sources', async () => {
    const status = await get('/status');
    for (const key of Object.keys(status)) expect(named(section('### Status'), key), `status.${key}`).toBe(true);

    const preview = await get('/preview?details_level=4&anonymize=true');
    const previewDoc = section('### Preview');
    for (const key of Object.keys(preview)) expect(named(previewDoc, key), `preview.${key}`).toBe(true);
    for (const key of Object.keys(preview['pending'] as object)) expect(named(previewDoc, key), `preview.pending.${key}`).toBe(true);
    expect(named(previewDoc, 'report_id')).toBe(true);

    const history = await get('/history');
    const historyDoc = section('### History');
    for (const key of Object.keys(history)) expect(named(historyDoc, key), `history.${key}`).toBe(true);
    for (const key of ['requested_at', 'ids', 'deleted_at', 'rows_deleted', 'confirmed_at'])
      expect(named(historyDoc, key), `deletions[].${key}`).toBe(true);

    const sources = await get('/sources');
    const sourcesDoc = section('### Sources');
    for (const key of Object.keys(sources)) expect(named(sourcesDoc, key), `sources.${key}`).toBe(true);
    for (const key of Object.keys(sources['intake'] as object)) expect(named(sourcesDoc, key), `sources.intake.${key}`).toBe(true);
    // An answer made in advance lists the source without data: every field of an entry.
    await fetch(`http://127.0.0.1:${agent.port}/sources/answer`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${agent.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'orders-demo', answer: 'denied' }),
    });
    const [entry] = (await get('/sources'))['sources'] as Record<string, unknown>[];
    expect(entry?.['name']).toBe('orders-demo');
    for (const key of Object.keys(entry ?? {})) expect(named(sourcesDoc, key), `sources[].${key}`).toBe(true);
    for (const key of Object.keys((entry?.['counts'] as object | undefined) ?? {}))
      expect(named(sourcesDoc, key), `sources[].counts.${key}`).toBe(true);
  });
});
