import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeltaError, type OpenStorageOptions, openStorage, openTable, type Storage } from '@meridian/delta';
import type { Topology } from '@meridian/topology';
import { type RecordBatch, RecordBatchStreamWriter } from 'apache-arrow';
import { QueryError } from '../errors.ts';
import { defaultRunner } from '../execute/default-runner.ts';
import type { RegionRunner } from '../execute/region-runner.ts';
import {
  ARROW_STREAM_TYPE,
  FragmentRequestSchema,
  type GatewayErrorBody,
  type GatewayErrorCode,
  PROTOCOL_VERSION,
  RESULT_KIND_HEADER,
  VERSION_HEADER,
} from './protocol.ts';
import { checkFragment, runFragment } from './run-fragment.ts';
import { runJoinFragment } from './run-join.ts';
import { type ServedTable, servedTable, servedTables } from './serve-table.ts';

/** Limits of a gateway; every one has a default. */
export interface GatewayLimits {
  /** Largest request body accepted, in bytes (413 above). Default 1 MiB: a fragment is a few hundred bytes. */
  readonly maxBodyBytes?: number;
  /** Longest a fragment may run, in ms, before it is stopped (504 `timeout`). Default 60 s. */
  readonly queryTimeoutMs?: number;
  /** Longest a client may take to send its request body, in ms (408 `request-timeout`). Default 10 s. */
  readonly bodyTimeoutMs?: number;
  /** Fragments running at once; one more is refused with 429 and Retry-After. Default 4. */
  readonly maxConcurrent?: number;
}

/** Options of {@link startQueryGateway}. */
export interface GatewayOptions extends GatewayLimits {
  readonly model: Topology;
  /** The region this gateway serves: its tables and the replicas its stores receive. */
  readonly region: string;
  /** Table URIs by component id (`<id>@<region>` for a replica copy); the model's s3://<bucket>/<path> otherwise. */
  readonly locations?: Readonly<Record<string, string>>;
  readonly storage?: OpenStorageOptions;
  /** Loopback by default: exposing the gateway is a decision (docs/security.md). */
  readonly host?: string;
  /** 0 (default): a free port. */
  readonly port?: number;
  /** Runs each fragment; executeQuery's default (DuckDB, JS where DuckDB cannot read a table exactly) when omitted. */
  readonly runner?: RegionRunner;
  /** Called once per finished request, for a log line. */
  readonly onRequest?: (entry: GatewayLogEntry) => void;
}

/** One served request, as the log reports it. */
export interface GatewayLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: GatewayErrorCode | undefined;
  readonly component: string | undefined;
  readonly ms: number;
  readonly bytes: number;
}

/** A running gateway. */
export interface QueryGateway {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, ends the running ones and closes the server. */
  close(): Promise<void>;
}

const DEFAULTS = { maxBodyBytes: 1 << 20, queryTimeoutMs: 60_000, bodyTimeoutMs: 10_000, maxConcurrent: 4 };

const STATUS: Record<GatewayErrorCode, number> = {
  'not-found': 404,
  'method-not-allowed': 405,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
  'malformed-json': 400,
  'invalid-fragment': 400,
  'unsupported-version': 400,
  'unknown-table': 404,
  'undeclared-location': 403,
  'residency-violation': 403,
  'destination-required': 403,
  'too-many-requests': 429,
  'not-ready': 503,
  timeout: 504,
  'request-timeout': 408,
  'fragment-failed': 422,
  internal: 500,
};

class Refusal extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly details: Omit<GatewayErrorBody['error'], 'code' | 'message'> = {},
  ) {
    super(message);
  }
}

/**
 * Starts a query gateway for one region: POST /v1/query runs a fragment over the region's Delta tables and streams
 * Arrow IPC; GET /health/live and /health/ready. It serves only tables its topology places in (or replicates into)
 * its region, at its own locations, and re-checks residency for every fragment.
 *
 * ```ts
 * const gateway = await startQueryGateway({ model, region: 'eu-west-1', locations: lakeLocations(model, './lake') });
 * ```
 */
export async function startQueryGateway(options: GatewayOptions): Promise<QueryGateway> {
  const limits = {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULTS.queryTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
    maxConcurrent: options.maxConcurrent ?? DEFAULTS.maxConcurrent,
  };
  const { model, region } = options;
  if (!model.regions.some((r) => (r.id ?? r.code) === region)) {
    throw new QueryError('unknown-region', `region '${region}' is not a region of topology '${model.name}'`, {
      path: ['region'],
      hint: `regions: ${model.regions.map((r) => r.id ?? r.code).join(', ')}`,
    });
  }
  const locations = options.locations ?? {};
  const open = (uri: string): Storage => openStorage(uri, options.storage ?? {});
  const runner = options.runner ?? defaultRunner();
  let active = 0;
  let closing = false;
  const running = new Set<AbortController>();

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    let code: GatewayErrorCode | undefined;
    const sent = { component: undefined as string | undefined, bytes: 0 };
    res.on('close', () => {
      options.onRequest?.({
        method: req.method ?? '',
        path: req.url ?? '',
        status: res.statusCode,
        code,
        component: sent.component,
        ms: Math.round(performance.now() - started),
        bytes: sent.bytes,
      });
    });
    const fail = (refusal: Refusal): void => {
      code = refusal.code;
      sendError(res, refusal);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path === '/health/live') {
      if (req.method !== 'GET') return fail(new Refusal('method-not-allowed', 'use GET'));
      return sendJson(res, 200, { live: true, region });
    }
    if (path === '/health/ready') {
      if (req.method !== 'GET') return fail(new Refusal('method-not-allowed', 'use GET'));
      void ready().then(
        (tables) => {
          const ok = !closing && tables.every((t) => t.ok);
          sendJson(res, ok ? 200 : 503, { ready: ok, region, tables });
        },
        () => sendJson(res, 503, { ready: false, region, tables: [] }),
      );
      return;
    }
    if (path !== '/v1/query') return fail(new Refusal('not-found', `no route ${path}`, { hint: 'POST /v1/query' }));
    if (req.method !== 'POST') return fail(new Refusal('method-not-allowed', 'POST a fragment to /v1/query'));
    if (closing) return fail(new Refusal('not-ready', 'the gateway is shutting down'));
    if (active >= limits.maxConcurrent) {
      return fail(
        new Refusal('too-many-requests', `${active} fragments are running, the limit is ${limits.maxConcurrent}`, {
          hint: 'retry after the Retry-After seconds, or send the fragment to a replica',
        }),
      );
    }
    active++;
    const controller = new AbortController();
    running.add(controller);
    const timer = setTimeout(
      () => controller.abort(new Refusal('timeout', `the fragment ran longer than ${limits.queryTimeoutMs} ms`)),
      limits.queryTimeoutMs,
    );
    // A client that goes away stops its fragment.
    res.on('close', () => controller.abort(new Refusal('internal', 'the client went away')));
    serveQuery(req, res, controller.signal, sent)
      .catch((error: unknown) => {
        const refusal = toRefusal(error);
        if (res.headersSent) {
          // Mid-stream: the Arrow stream is cut without its end marker and the chunked body without its last chunk,
          // so the client sees a broken transfer, never a shorter result that looks whole.
          code = refusal.code;
          res.destroy();
        } else fail(refusal);
      })
      .finally(() => {
        clearTimeout(timer);
        running.delete(controller);
        active--;
      });
  });

  async function serveQuery(
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
    sent: { component: string | undefined; bytes: number },
  ): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      throw new Refusal('unsupported-media-type', `the body is ${type || 'untyped'}, not application/json`, {
        hint: 'send the fragment as JSON with Content-Type: application/json',
      });
    }
    const body = await readBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw new Refusal('malformed-json', `the body is not JSON: ${(error as Error).message}`);
    }
    if (typeof json === 'object' && json !== null && (json as { version?: unknown }).version !== PROTOCOL_VERSION) {
      throw new Refusal('unsupported-version', `protocol version ${String((json as { version?: unknown }).version)}`, {
        hint: `this gateway speaks version ${PROTOCOL_VERSION}`,
      });
    }
    const parsed = FragmentRequestSchema.safeParse(json);
    if (!parsed.success) {
      throw new Refusal('invalid-fragment', 'the fragment does not match the protocol', {
        issues: parsed.error.issues.map((i) => ({
          path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
          message: i.message,
        })),
      });
    }
    const request = parsed.data;
    sent.component = request.component;
    const served = servedTable(model, region, request.component, locations);
    if (served === undefined) {
      throw new Refusal('unknown-table', `${request.component} is not a table this gateway serves in ${region}`, {
        hint: `tables served here: ${servedTables(model, region, locations)
          .map((s) => s.table.id)
          .join(', ')}`,
      });
    }
    if (request.uri !== undefined && request.uri !== served.uri) {
      throw new Refusal('undeclared-location', `${request.uri} is not where ${request.component} is in ${region}`, {
        hint: 'the gateway reads each table at its own location; leave uri out',
      });
    }
    const context = { openStorage: (uri: string) => open(uri), storage: options.storage, signal };
    // A join is planned again here with this gateway's topology (run-join.ts); a single table is checked as is.
    const join = request.join;
    const work = join
      ? runJoinFragment(model, served, { ...request, join }, context)
      : runFragment(checkFragment(model, served, request), runner, context);
    const writer = new RecordBatchStreamWriter();
    // An error before the response starts is a JSON error; after it, a cut stream.
    // Raced with the query's clock: a runner that does not stop at once still gets its 504.
    const { schema, batches, version } = await Promise.race([work, aborted(signal)]);
    res.writeHead(200, {
      'content-type': ARROW_STREAM_TYPE,
      [RESULT_KIND_HEADER]: request.mode,
      [VERSION_HEADER]: String(version ?? ''),
      'x-meridian-region': region,
      'x-meridian-served': served.replica ? `replica of ${served.home}` : served.home,
    });
    // The writer's byte stream is piped to the response (Node's backpressure); a batch waits while the socket drains,
    // so a slow reader holds at most a socket buffer and a batch, and the query timeout still applies.
    const stream = writer.toNodeStream();
    stream.on('data', (chunk: Uint8Array) => {
      sent.bytes += chunk.byteLength;
    });
    stream.pipe(res);
    writer.reset(undefined, schema);
    const emit = async (batch: RecordBatch): Promise<void> => {
      writer.write(batch);
      if (res.writableNeedDrain) await drained(res, signal);
    };
    for await (const batch of batches) await emit(batch);
    if (signal.aborted) throw signal.reason;
    writer.finish();
    await new Promise<void>((resolve, reject) => {
      res.once('finish', resolve);
      res.once('close', () => (res.writableFinished ? resolve() : reject(signal.reason ?? new Error('closed'))));
    });
  }

  const readiness = { at: 0, tables: [] as { component: string; ok: boolean; error?: string }[] };
  async function ready(): Promise<typeof readiness.tables> {
    // Opening every served table's log costs a listing: done at most every 5 s.
    if (performance.now() - readiness.at < 5000 && readiness.at > 0) return readiness.tables;
    const tables = await Promise.all(
      servedTables(model, region, locations).map(async (s: ServedTable) => {
        try {
          await (await openTable(open(s.uri))).snapshot();
          return { component: s.table.id, ok: true };
        } catch (error) {
          return { component: s.table.id, ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    readiness.at = performance.now();
    readiness.tables = tables;
    return tables;
  }

  // Node's own limits back ours up: a client that trickles its headers or body is cut off.
  server.headersTimeout = limits.bodyTimeoutMs;
  server.requestTimeout = limits.bodyTimeoutMs * 2;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    async close() {
      closing = true;
      for (const c of running) c.abort(new Refusal('not-ready', 'the gateway is shutting down'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Rejects with the signal's reason once it is aborted. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Resolves when the response can take more bytes; rejects when the query is stopped meanwhile. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      res.off('drain', done);
      reject(signal.reason);
    };
    const done = () => {
      signal.removeEventListener('abort', stop);
      resolve();
    };
    if (signal.aborted) return reject(signal.reason);
    res.once('drain', done);
    signal.addEventListener('abort', stop, { once: true });
  });
}

function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(
      new Refusal('payload-too-large', `the body is ${declared} bytes, the limit is ${maxBytes}`, {
        hint: 'a fragment is a few hundred bytes; check what is being sent',
      }),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      reject(new Refusal('request-timeout', `the body did not arrive within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        req.removeAllListeners('data');
        req.resume();
        reject(new Refusal('payload-too-large', `the body is over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function toRefusal(error: unknown): Refusal {
  if (error instanceof Refusal) return error;
  if (error instanceof QueryError) {
    const code: GatewayErrorCode =
      error.code === 'residency-violation' || error.code === 'destination-required' ? error.code : 'fragment-failed';
    return new Refusal(code, error.message, { ...(error.hint ? { hint: error.hint } : {}), cause: error.code });
  }
  if (error instanceof DeltaError) {
    return new Refusal('fragment-failed', error.message, {
      ...(error.hint ? { hint: error.hint } : {}),
      cause: error.code,
    });
  }
  return new Refusal('internal', error instanceof Error ? error.message : String(error));
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, refusal: Refusal): void {
  const body: GatewayErrorBody = { error: { code: refusal.code, message: refusal.message, ...refusal.details } };
  const status = STATUS[refusal.code];
  const headers: Record<string, string> = status === 429 || status === 503 ? { 'retry-after': '1' } : {};
  // After a refused body (too large, too slow) the connection is closed: what is left of the body is not read.
  if (refusal.code === 'payload-too-large' || refusal.code === 'request-timeout') headers.connection = 'close';
  sendJson(res, status, body, headers);
}
