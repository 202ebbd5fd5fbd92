import { type RecordBatch, RecordBatchReader, type Schema } from 'apache-arrow';
import type { QueryFragment } from '../plan/plan.ts';
import {
  ARROW_STREAM_TYPE,
  type FragmentRequest,
  type GatewayErrorBody,
  type GatewayErrorCode,
  PROTOCOL_VERSION,
  RETRYABLE_CODES,
  VERSION_HEADER,
} from './protocol.ts';

/** How the client talks to gateways; every field has a default. */
export interface RemoteOptions {
  /** Longest one attempt may take, in ms (a fragment that collects, to its last byte; rows, to the first). 30 s. */
  readonly timeoutMs?: number;
  /** Attempts after the first at one gateway, on a retryable failure (connection, 429, 503, 504, 500). 2. */
  readonly retries?: number;
  /** First backoff in ms, doubled each retry, with jitter; a Retry-After header is honoured up to 5 s. 100. */
  readonly backoffMs?: number;
  /** Send a second request (to the next gateway that can serve the fragment) when the first has not answered. */
  readonly hedgeAfterMs?: number;
}

/** A gateway that can serve a fragment: the region's own, or a region holding a replica of its table. */
export interface GatewayTarget {
  readonly region: string;
  readonly url: string;
  readonly replica: boolean;
}

/** A failure of a gateway request: the gateway's stable code (or `unreachable`), its status and whether to retry. */
export class GatewayRequestError extends Error {
  readonly code: GatewayErrorCode | 'unreachable' | 'broken-stream';
  readonly status: number | undefined;
  readonly hint: string | undefined;
  readonly target: GatewayTarget;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: GatewayRequestError['code'],
    message: string,
    details: { status?: number; hint?: string; target: GatewayTarget; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GatewayRequestError';
    this.code = code;
    this.status = details.status;
    this.hint = details.hint;
    this.target = details.target;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** Whether another attempt, or another gateway, may succeed (a refusal such as residency never will). */
  get retryable(): boolean {
    return (
      this.code === 'unreachable' || this.code === 'broken-stream' || RETRYABLE_CODES.has(this.code as GatewayErrorCode)
    );
  }
}

/** What one fragment's remote run produced, and how. */
export interface FragmentResponse {
  readonly batches: AsyncIterable<RecordBatch>;
  /** The gateway that answered. */
  readonly target: GatewayTarget;
  /** Requests sent (retries and hedges included). */
  readonly attempts: number;
  readonly hedged: boolean;
  /** Bytes of the response body read so far (final once `batches` is consumed). */
  bytes(): number;
  /** The stream's schema (the fragment's columns, or a partial's encoding). */
  readonly schema: Schema;
  /** The Delta table version the gateway read. */
  readonly version: number | undefined;
}

type Attempted = Pick<FragmentResponse, 'batches' | 'bytes' | 'schema' | 'version'>;

/** What every request of a fragment carries: its table, where results go, its columns and predicate. */
export function fragmentBase(fragment: QueryFragment, from: string | undefined): Omit<FragmentRequest, 'mode'> {
  return {
    version: PROTOCOL_VERSION,
    component: fragment.component,
    ...(from !== undefined ? { from } : {}),
    ...(fragment.columns ? { columns: [...fragment.columns] } : {}),
    // The predicate travels as its text in @meridian/delta's grammar, which the gateway parses again.
    ...(fragment.where ? { where: fragment.where.toString() } : {}),
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** The response body, counting its bytes. */
async function* counted(body: ReadableStream<Uint8Array>, count: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    count(chunk.byteLength);
    yield chunk;
  }
}

/**
 * One request to one gateway. `collect` reads the whole stream before resolving (partials and top-k: a broken
 * transfer is then a retryable failure, and nothing has been passed on); otherwise it resolves at the response
 * headers and a break mid-stream surfaces while iterating.
 */
async function attempt(
  target: GatewayTarget,
  body: string,
  collect: boolean,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Attempted> {
  // The attempt's clock: to the last byte when collecting, to the response headers when streaming rows.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const both = AbortSignal.any([signal, timeout.signal]);
  let bytes = 0;
  let response: Response;
  try {
    response = await fetch(`${target.url.replace(/\/+$/, '')}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ARROW_STREAM_TYPE },
      body,
      signal: both,
    });
  } catch (error) {
    clearTimeout(timer);
    if (signal.aborted) throw signal.reason;
    throw new GatewayRequestError(
      timeout.signal.aborted ? 'timeout' : 'unreachable',
      `${target.url} (${target.region}) ${timeout.signal.aborted ? `did not answer within ${timeoutMs} ms` : `is unreachable: ${causeOf(error)}`}`,
      { target, cause: error },
    );
  }
  if (!collect) clearTimeout(timer);
  if (!response.ok) {
    clearTimeout(timer);
    const retryAfter = Number(response.headers.get('retry-after'));
    let error: GatewayErrorBody['error'] | undefined;
    try {
      error = ((await response.json()) as GatewayErrorBody).error;
    } catch {
      error = undefined;
    }
    throw new GatewayRequestError(
      error?.code ?? 'internal',
      `${target.url} (${target.region}) answered ${response.status}: ${error?.message ?? response.statusText}`,
      {
        status: response.status,
        target,
        ...(error?.hint ? { hint: error.hint } : {}),
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      },
    );
  }
  if (response.body === null) {
    clearTimeout(timer);
    throw new GatewayRequestError('broken-stream', 'the response has no body', { target });
  }
  const versionText = response.headers.get(VERSION_HEADER);
  const version = versionText === null || versionText === '' ? undefined : Number(versionText);
  const broken = (error: unknown): unknown => {
    if (signal.aborted) return signal.reason;
    if (error instanceof GatewayRequestError) return error;
    return new GatewayRequestError(
      timeout.signal.aborted ? 'timeout' : 'broken-stream',
      `the stream from ${target.url} (${target.region}) broke: ${causeOf(error)}`,
      { target, cause: error },
    );
  };
  let reader: RecordBatchReader;
  try {
    reader = await RecordBatchReader.from(
      counted(response.body, (n) => {
        bytes += n;
      }),
    );
    await reader.open();
  } catch (error) {
    clearTimeout(timer);
    throw broken(error);
  }
  const schema = reader.schema as Schema;
  const read = async function* (): AsyncGenerator<RecordBatch> {
    try {
      for await (const batch of reader) yield batch;
    } catch (error) {
      throw broken(error);
    }
  };
  if (!collect) return { batches: read(), bytes: () => bytes, schema, version };
  const batches: RecordBatch[] = [];
  try {
    for await (const batch of read()) batches.push(batch);
  } finally {
    clearTimeout(timer);
  }
  return { batches: replay(batches), bytes: () => bytes, schema, version };
}

/** Collected batches, iterable as the stream they came from. */
async function* replay(batches: readonly RecordBatch[]): AsyncGenerator<RecordBatch> {
  yield* batches;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** One gateway, with bounded retries and exponential backoff on retryable failures. */
async function withRetries(
  target: GatewayTarget,
  body: string,
  collect: boolean,
  options: RemoteOptions,
  signal: AbortSignal,
  onAttempt: () => void,
): ReturnType<typeof attempt> {
  const retries = options.retries ?? 2;
  const backoff = options.backoffMs ?? 100;
  for (let n = 0; ; n++) {
    onAttempt();
    try {
      return await attempt(target, body, collect, options.timeoutMs ?? 30_000, signal);
    } catch (error) {
      if (!(error instanceof GatewayRequestError) || !error.retryable || n >= retries) throw error;
      const wait = Math.min(error.retryAfterMs ?? backoff * 2 ** n * (0.5 + Math.random()), 5000);
      await sleep(wait, signal);
    }
  }
}

/**
 * Runs a fragment at the first gateway of `targets` that answers: each with retries; a retryable failure moves on to
 * the next (a replica region); a refusal (residency, an invalid fragment) ends the run, as any gateway would refuse it
 * alike. With `hedgeAfterMs`, a second chain starts from the next target if the first has not answered by then; the
 * first to succeed wins and the other is aborted.
 */
export async function fetchFragment(
  targets: readonly GatewayTarget[],
  request: FragmentRequest,
  options: RemoteOptions,
  signal: AbortSignal,
): Promise<FragmentResponse> {
  if (targets.length === 0) throw new Error('fetchFragment needs a target');
  const body = JSON.stringify(request);
  const collect = request.mode !== 'rows';
  let attempts = 0;
  const chain = async (start: number, chainSignal: AbortSignal) => {
    let last: unknown;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(start + i) % targets.length] as GatewayTarget;
      try {
        const result = await withRetries(target, body, collect, options, chainSignal, () => {
          attempts++;
        });
        return { ...result, target };
      } catch (error) {
        if (chainSignal.aborted) throw error;
        last = error;
        if (!(error instanceof GatewayRequestError) || !error.retryable) throw error;
      }
    }
    throw last;
  };
  const first = new AbortController();
  const onAbort = () => first.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const primary = chain(0, AbortSignal.any([signal, first.signal]));
    const second = new AbortController();
    // A failed primary has tried every target: a hedge would only repeat it.
    primary.catch(() => second.abort(new Error('the primary request failed')));
    if (options.hedgeAfterMs === undefined) {
      const r = await primary;
      return { ...r, attempts, hedged: false };
    }
    const hedgeAfter = options.hedgeAfterMs;
    let hedged = false;
    const timer = sleep(hedgeAfter, AbortSignal.any([signal, second.signal])).then(() => {
      hedged = true;
      return chain(targets.length > 1 ? 1 : 0, AbortSignal.any([signal, second.signal]));
    });
    // The first success wins; the loser is aborted. Both failing is the primary's error.
    const winner = await Promise.any([
      primary.then((r) => ({ r, from: 'primary' as const })),
      timer.then((r) => ({ r, from: 'hedge' as const })),
    ]).catch(async () => {
      await primary;
      throw new Error('unreachable');
    });
    (winner.from === 'primary' ? second : first).abort(new Error('the other request answered first'));
    timer.catch(() => {});
    primary.catch(() => {});
    return { ...winner.r, attempts, hedged };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
