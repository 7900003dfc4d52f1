import { StoreUnavailableError } from './store.js';

// ClickHouse's HTTP interface, the way every server version since 1.1 speaks it: the
// query in the body (or in ?query= with the data in the body for INSERT), Basic auth,
// errors as a 500 with "Code: N, e.displayText() = ..." text. No client library: the
// official one needs a server of 2022 or newer, and this collector must run against
// the 18.16 that Debian ships.

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

export class ClickHouseHttp {
  private readonly base: URL;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClickHouseOptions) {
    this.base = new URL(options.url);
    this.auth = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
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
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { Authorization: this.auth, 'Content-Type': 'text/plain; charset=utf-8' },
        body: data ?? query,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const reason = cause?.code ?? (error as Error).name ?? 'error';
      throw new StoreUnavailableError(`ClickHouse at ${this.where} is unreachable (${reason})`, 30, { cause: error });
    }
    const text = await response.text().catch((error: unknown) => {
      throw new StoreUnavailableError(`ClickHouse at ${this.where}: reading the answer failed (${(error as Error).message})`, 30);
    });
    if (response.ok) return text;
    const first = text.split('\n')[0]?.slice(0, 500) ?? '';
    throw new ClickHouseQueryError(`ClickHouse answered ${response.status}: ${first}`);
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
