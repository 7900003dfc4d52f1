import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/version.js';
import { buildOnce } from '../support/build.js';
import { sandbox, type Sandbox } from '../support/temp-dirs.js';
import { envelopeError, parseRaw, sendRaw } from './generators/raw-http.js';

// Requests node:http refuses itself (a header line without a colon, a header block over
// 16 KB) get the envelope too (http.ts clientError handler). Found by the input fuzzing.
// The agent runs in a child process, so a crash could not take the test runner down.

let box: Sandbox;
let child: ChildProcess;
let port = 0;
let token = '';

const SCRIPT = `
import { startHeadless } from ${JSON.stringify(join(APP_ROOT, 'dist/main/headless.js'))};
const h = await startHeadless({ dataDir: process.argv[1], cwd: process.argv[2], env: {}, port: 0 });
console.log(JSON.stringify({ port: h.port, token: h.token }));
`;

beforeAll(async () => {
  buildOnce();
  box = sandbox();
  child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, box.dataDir, box.cwd], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout ?? process.stdin }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`agent exited with ${String(code)} before listening`)));
  });
  ({ port, token } = JSON.parse(line) as { port: number; token: string });
}, 120_000);

afterAll(() => {
  if (child.exitCode === null) child.kill();
  box.cleanup();
});

const head = (target: string, extra = ''): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n${extra}Connection: close\r\n\r\n`;

describe('http.ts parser-level rejects', () => {
  it('a request node:http refuses (a header line without a colon, a 20 KB header) still gets the envelope', async () => {
    for (const extra of ['X-Bad header without colon\r\n', `X-Big: ${'a'.repeat(20_000)}\r\n`]) {
      const { status, body } = parseRaw(await sendRaw(port, head('/status', extra)));
      expect(status).toBeGreaterThanOrEqual(400);
      expect(envelopeError(body), `${status} ${body}`).not.toBeNull();
    }
  });
});
