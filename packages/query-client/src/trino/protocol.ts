import { Trino, type QueryResult as TrinoPage } from 'trino-client';
import { QueryError } from '../errors.ts';

/** How to reach one Trino coordinator (the region's): its URL and the user queries run as. */
export interface TrinoConnection {
  /** The coordinator's base URL, e.g. `https://trino.eu-west-1.example.com:8443`. */
  readonly server: string;
  /** Sent as X-Trino-User (the protocol requires a user). */
  readonly user: string;
  /** Sent as X-Trino-Source; `meridian` by default. */
  readonly source?: string;
  /** Further request headers (authorization through a gateway, X-Trino-Client-Tags, ...). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Retries of 502, 503 and 504. Trino "Client REST API": such a status means an intermittent problem (a gateway or
 * load balancer in front of Trino) and the client should try the same request again in 50-100 ms; any status other
 * than these and 200 means the query failed. trino-client does not retry, so this layer does: at most `attempts`
 * tries of each request, the first wait `baseDelayMs` to twice that (jitter), doubling, never over `maxDelayMs`.
 */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** 6 tries, 50-100 ms first (the protocol's figure), then 100-200, ... up to 2 s: about 3 s of gateway trouble. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 50, maxDelayMs: 2000 };

const RETRYABLE = new Set([502, 503, 504]);

/** A column of a result as the protocol describes it. */
interface TrinoColumn {
  readonly name: string;
  readonly type: string;
}

/** One page of a statement's results: the columns (once known) and the rows it carries. */
export interface StatementPage {
  readonly columns: readonly TrinoColumn[] | undefined;
  readonly data: readonly (readonly unknown[])[];
}

/** What a finished statement reports besides its rows (its final page's stats), and the retries it needed. */
export interface StatementStats {
  processedRows: number;
  processedBytes: number;
  retries: number;
  queryId: string | undefined;
}

function statusOf(error: unknown): number | undefined {
  // trino-client requests through axios, whose errors carry the response.
  const response = (error as { response?: { status?: unknown } } | null)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

function aborted(signal: AbortSignal, sql: string): QueryError {
  return new QueryError('aborted', `the Trino statement was aborted: ${sql.slice(0, 80)}`, {
    path: ['trino'],
    hint: 'run it again without aborting the signal',
    cause: signal.reason,
  });
}

/** Waits `ms`, or rejects as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(aborted(signal, sql));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal, sql));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The promise, or a rejection as soon as the signal aborts (the request itself runs on; its page is cancelled). */
function raced<T>(promise: Promise<T>, signal: AbortSignal, sql: string): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted(signal, sql));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted(signal, sql));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Runs one statement on a coordinator through trino-client and yields its pages as they come, following nextUri.
 * Each request (the POST of the statement and every GET of a nextUri) is retried on 502/503/504 as
 * {@link RetryPolicy} says; trino-client's iterator keeps its place when a request fails, so a retry asks for the
 * same nextUri again. A query that ends with an `error` is an `engine-failed` QueryError naming Trino's error.
 * Cancellation (Trino "Client REST API": a DELETE to nextUri terminates a running query): when the signal aborts or
 * the consumer stops early, the last nextUri known is deleted; if none is known yet (the abort came during the POST),
 * the POST's answer is followed one step, once it arrives, for a nextUri to delete.
 */
export async function* statementPages(
  connection: TrinoConnection,
  sql: string,
  options: { signal: AbortSignal; retry?: RetryPolicy; stats?: StatementStats },
): AsyncGenerator<StatementPage> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const signal = options.signal;
  const stats = options.stats ?? { processedRows: 0, processedBytes: 0, retries: 0, queryId: undefined };
  const headers = { 'X-Trino-User': connection.user, ...(connection.headers ?? {}) };
  const trino = Trino.create({
    server: connection.server,
    source: connection.source ?? 'meridian',
    extraHeaders: headers,
  });
  let nextUri: string | undefined;
  let finished = false;
  let inFlight: Promise<unknown> | undefined;

  const withRetry = async <T>(request: () => Promise<T>, what: string): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const call = request();
      inFlight = call;
      try {
        return await raced(call, signal, sql);
      } catch (error) {
        const status = statusOf(error);
        if (status === undefined || !RETRYABLE.has(status)) {
          if (error instanceof QueryError) throw error;
          throw new QueryError(
            'engine-failed',
            `Trino ${what} failed${status === undefined ? '' : ` with HTTP ${status}`}: ${error instanceof Error ? error.message : String(error)}`,
            {
              path: ['trino', connection.server],
              hint: 'check that the coordinator is up and reachable',
              cause: error,
            },
          );
        }
        if (attempt >= retry.attempts) {
          throw new QueryError('engine-failed', `Trino ${what}: HTTP ${status} ${attempt} times in a row`, {
            path: ['trino', connection.server],
            hint: `the gateway in front of Trino kept answering ${status}; try again later`,
            cause: error,
          });
        }
        stats.retries++;
        const base = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.min(retry.maxDelayMs, base + Math.random() * base), signal, sql);
      }
    }
  };

  const cancel = async (uri: string | undefined) => {
    if (uri === undefined) return;
    try {
      await fetch(uri, { method: 'DELETE', headers, signal: AbortSignal.timeout(5000) });
    } catch {
      // Best effort: the coordinator also abandons a query whose client stops polling (query.client.timeout).
    }
  };

  const take = (page: TrinoPage): StatementPage => {
    nextUri = page.nextUri;
    stats.queryId = page.id;
    if (page.stats) {
      stats.processedRows = page.stats.processedRows ?? stats.processedRows;
      stats.processedBytes = page.stats.processedBytes ?? stats.processedBytes;
    }
    if (page.error) {
      finished = true;
      const e = page.error;
      throw new QueryError(
        'engine-failed',
        `Trino query ${page.id} failed: ${e.errorName} (${e.errorType}): ${e.message}`,
        {
          path: ['trino', connection.server],
          hint:
            e.errorType === 'USER_ERROR'
              ? 'the generated SQL was refused; report it with the query id'
              : 'see the query in the Trino UI by its id',
        },
      );
    }
    if (!page.nextUri) finished = true;
    return { columns: page.columns, data: (page.data ?? []) as unknown[][] };
  };

  try {
    const pages = await withRetry(() => trino.query(sql), 'POST /v1/statement');
    for (let taken = 0; ; taken++) {
      const step = await withRetry(() => pages.next(), 'GET nextUri');
      if (step.done) {
        // trino-client ends with the last page again; a statement that ended at its POST (no nextUri) only there.
        const last = taken === 0 ? take(step.value) : undefined;
        finished = true;
        if (last !== undefined && last.data.length > 0) yield last;
        return;
      }
      const page = take(step.value);
      if (page.data.length > 0 || page.columns !== undefined) yield page;
      if (finished) return;
    }
  } finally {
    if (!finished) {
      const pending = inFlight;
      await cancel(nextUri);
      // Aborted before any page named a nextUri (the POST in flight): its answer names the one to delete.
      if (pending !== undefined && signal.aborted && nextUri === undefined) {
        void pending.then(
          async (value) => {
            // The POST's answer is trino-client's iterator: one step of it brings the page to delete.
            const iterator = value as { next?: () => Promise<{ value?: TrinoPage }> } | undefined;
            const step =
              typeof iterator?.next === 'function' ? await iterator.next() : (value as { value?: TrinoPage });
            const uri = step?.value?.nextUri;
            await cancel(uri);
          },
          () => undefined,
        );
      }
    }
  }
}
