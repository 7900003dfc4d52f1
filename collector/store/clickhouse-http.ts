import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { StoreUnavailableError } from './store.js';

// ClickHouse's HTTP interface, the way every server version since 1.1 speaks it: the
// query in the body (or in ?query= with the data in the body for INSERT), Basic auth,
// errors as a 500 with "Code: N, e.displayText() = ..." text. No client library: the
// official one needs a server of 2022 or newer, and this collector must run against
// the 18.16 that Debian ships. node:http with kept-alive connections rather than
// fetch(): each group commit makes eight requests, and fetch costs several times the
// CPU per request on the collector's busy event loop.

export interface ClickHouseOptions {
  url: string;
  database: string;
  user: string;
  password: string | null;
  /** Deadline for one request (default 30 s). */
  timeoutMs?: number;
}

export class ClickHouseQueryError extends Error {
  override name = 'ClickHouseQueryError';
}

/** Idle connections are closed before ClickHouse's own keep_alive_timeout (3 s by default) can close them under a request. */
const IDLE_CLOSE_MS = 2_000;

export class ClickHouseHttp {
  private readonly base: URL;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;

  constructor(private readonly options: ClickHouseOptions) {
    this.base = new URL(options.url);
    this.auth = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: IDLE_CLOSE_MS });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /** The URL as logs may show it: no credentials are ever part of it. */
  get where(): string {
    return `${this.base.origin}${this.base.pathname.replace(/\/$/, '')} (database ${this.options.database})`;
  }

  /** Runs a statement without result (DDL, ALTER). `database` false for statements that must run before it exists. */
  async exec(sql: string, database = true): Promise<void> {
    await this.request(sql, undefined, database);
  }

  /** Runs a SELECT and returns its rows as arrays (JSONCompact, 64-bit integers as numbers). */
  async rows(sql: string): Promise<unknown[][]> {
    const text = await this.request(`${sql} FORMAT JSONCompact`, undefined, true);
    const parsed = JSON.parse(text) as { data?: unknown[][] };
    return parsed.data ?? [];
  }

  /** INSERT of TabSeparated rows. */
  async insertTsv(table: string, columns: readonly string[], body: string): Promise<void> {
    await this.request(`INSERT INTO ${table} (${columns.join(', ')}) FORMAT TabSeparated`, body, true);
  }

  private async request(query: string, data: string | undefined, database: boolean): Promise<string> {
    const url = new URL(this.base);
    if (database) url.searchParams.set('database', this.options.database);
    url.searchParams.set('output_format_json_quote_64bit_integers', '0');
    // With data, the statement goes in the URL and the rows in the body.
    if (data !== undefined) url.searchParams.set('query', query);
    const body = Buffer.from(data ?? query, 'utf8');
    let answer: { status: number; text: string };
    try {
      answer = await this.post(url, body).catch((error: unknown) => {
        // A kept-alive connection the server closed just as it was reused (the request did not reach it; were it
        // a server that took it and died, the copy is one the queries tolerate, as for two collectors).
        if ((error as { reused?: boolean }).reused === true && (error as NodeJS.ErrnoException).code === 'ECONNRESET')
          return this.post(url, body);
        throw error;
      });
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).name ?? 'error';
      throw new StoreUnavailableError(`ClickHouse at ${this.where} is unreachable (${reason})`, 30, { cause: error });
    }
    if (answer.status >= 200 && answer.status < 300) return answer.text;
    const first = answer.text.split('\n')[0]?.slice(0, 500) ?? '';
    throw new ClickHouseQueryError(`ClickHouse answered ${answer.status}: ${first}`);
  }

  private post(url: URL, body: Buffer): Promise<{ status: number; text: string }> {
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | null, answer?: { status: number; text: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === null) resolve(answer as { status: number; text: string });
        else reject(error);
      };
      const req = client.request(url, {
        method: 'POST',
        agent: this.agent,
        headers: { Authorization: this.auth, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length) },
      });
      const timer = setTimeout(() => {
        settle(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'TimeoutError' }));
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => settle(Object.assign(error, { reused: req.reusedSocket })));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        const cut = (): void => settle(new StoreUnavailableError(`ClickHouse at ${this.where}: the answer was cut off before its end`, 30));
        res.on('error', cut);
        res.on('close', () => {
          if (!res.complete) cut();
        });
        res.on('end', () => settle(null, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.end(body);
    });
  }
}

/** ClickHouse TabSeparated escaping for one string value. */
export function tsvString(value: string): string {
  return value.replace(/[\\\t\n\r\0']/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\t':
        return '\\t';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\0':
        return '\\0';
      default:
        return "\\'";
    }
  });
}
