/**
 * A loopback HTTP server that speaks the Trino client REST protocol as documented (trino.io/docs/current/develop/
 * client-protocol.html): POST /v1/statement with the SQL as body and X-Trino-User, QueryResults documents with id,
 * nextUri, columns, data, stats and error; GET of nextUri for the next page; DELETE of nextUri to cancel. Statements
 * are executed by DuckDB (a real engine running the SQL the adapter generated), and its results are written as
 * Trino's JSON encoding writes them (bigint and double as JSON numbers, decimal, date and timestamp as strings).
 * Faults: 502/503/504 answers before a request is served, a delay before pages, a page size.
 * It is no Trino: it stands in for one where none can run, so the adapter is tested against the protocol only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

/** A request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly at: number;
  readonly user: string | undefined;
}

export interface FakeTrinoOptions {
  /** Runs the SQL; DuckDB with the region's tables attached as catalog.schema.table. */
  readonly connection: DuckDBConnection;
  /** Rows per page. */
  readonly pageSize?: number;
}

interface Statement {
  readonly sql: string;
  columns?: { name: string; type: string }[];
  rows?: unknown[][];
  error?: string;
  cancelled: boolean;
}

/** DuckDB's type name as Trino's: the Delta Lake connector's types (a timestamp with zone is timestamp(3)). */
function trinoTypeOf(duck: string): string {
  const t = duck.toUpperCase();
  const simple: Record<string, string> = {
    BIGINT: 'bigint',
    INTEGER: 'integer',
    SMALLINT: 'smallint',
    TINYINT: 'tinyint',
    DOUBLE: 'double',
    FLOAT: 'real',
    BOOLEAN: 'boolean',
    VARCHAR: 'varchar',
    DATE: 'date',
    TIMESTAMP: 'timestamp(6)',
    'TIMESTAMP WITH TIME ZONE': 'timestamp(3) with time zone',
  };
  if (simple[t]) return simple[t];
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  if (t.endsWith('[]')) return `array(${trinoTypeOf(t.slice(0, -2))})`;
  return t.toLowerCase();
}

/** A DuckDB value in Trino's JSON encoding. */
function encode(value: DuckDBValue): unknown {
  if (value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  const items = (value as { items?: DuckDBValue[] }).items;
  if (Array.isArray(items)) return items.map(encode);
  const text = String(value);
  // DuckDB writes a zoned timestamp as '...+00'; Trino as '... UTC'.
  return /\+00$/.test(text) ? `${text.slice(0, -3)} UTC` : text;
}

export class FakeTrino {
  readonly requests: SeenRequest[] = [];
  readonly statements: string[] = [];
  readonly deleted: string[] = [];
  /** Statuses to answer, one per incoming request, before serving requests normally again. */
  readonly faults: number[] = [];
  /** Milliseconds to wait before answering a GET of a page after the first. */
  pageDelayMs = 0;
  /** Milliseconds to wait before answering the POST of a statement. */
  postDelayMs = 0;
  private readonly server: Server;
  private readonly queries = new Map<string, Statement>();
  private base = '';
  private next = 0;

  constructor(private readonly options: FakeTrinoOptions) {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, body?: unknown): void {
    this.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      status,
      at: performance.now(),
      user: req.headers['x-trino-user'] as string | undefined,
    });
    if (body === undefined) res.writeHead(status).end();
    else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const fault = this.faults.shift();
    if (fault !== undefined) return this.send(req, res, fault, { message: 'gateway trouble' });
    const url = req.url ?? '';
    if (req.method === 'POST' && url === '/v1/statement') {
      if (!req.headers['x-trino-user']) return this.send(req, res, 401, { message: 'X-Trino-User required' });
      if (this.postDelayMs > 0) await new Promise((r) => setTimeout(r, this.postDelayMs));
      const id = `q${++this.next}`;
      const sql = Buffer.concat(chunks).toString('utf8');
      this.statements.push(sql);
      this.queries.set(id, { sql, cancelled: false });
      return this.send(req, res, 200, {
        id,
        infoUri: `${this.base}/ui/query.html?${id}`,
        nextUri: `${this.base}/v1/statement/queued/${id}/s1/1`,
        stats: { state: 'QUEUED', processedRows: 0, processedBytes: 0 },
      });
    }
    const m = /^\/v1\/statement\/(queued|executing)\/(q\d+)\/s1\/(\d+)$/.exec(url);
    const query = m ? this.queries.get(m[2] as string) : undefined;
    if (!m || !query) return this.send(req, res, 404, { message: 'no such query' });
    const id = m[2] as string;
    const token = Number(m[3]);
    if (req.method === 'DELETE') {
      query.cancelled = true;
      this.deleted.push(url);
      return this.send(req, res, 204);
    }
    if (query.cancelled) {
      return this.send(req, res, 200, {
        id,
        error: { message: 'Query was canceled', errorCode: 3, errorName: 'USER_CANCELED', errorType: 'USER_ERROR' },
        stats: { state: 'FAILED' },
      });
    }
    if (query.rows === undefined && query.error === undefined) {
      try {
        const reader = await this.options.connection.runAndReadAll(query.sql);
        query.columns = reader.columnNames().map((name, i) => ({
          name,
          type: trinoTypeOf(String(reader.columnTypes()[i])),
        }));
        query.rows = reader.getRows().map((row) => row.map(encode));
      } catch (error) {
        query.error = error instanceof Error ? error.message : String(error);
      }
    }
    if (query.error !== undefined) {
      return this.send(req, res, 200, {
        id,
        error: { message: query.error, errorCode: 1, errorName: 'SYNTAX_ERROR', errorType: 'USER_ERROR' },
        stats: { state: 'FAILED' },
      });
    }
    if (token > 1 && this.pageDelayMs > 0) await new Promise((r) => setTimeout(r, this.pageDelayMs));
    const size = this.options.pageSize ?? 100;
    const rows = query.rows as unknown[][];
    const page = rows.slice((token - 1) * size, token * size);
    const more = token * size < rows.length;
    return this.send(req, res, 200, {
      id,
      ...(more ? { nextUri: `${this.base}/v1/statement/executing/${id}/s1/${token + 1}` } : {}),
      columns: query.columns,
      ...(page.length > 0 ? { data: page } : {}),
      stats: { state: more ? 'RUNNING' : 'FINISHED', processedRows: rows.length, processedBytes: 0 },
    });
  }
}
