/**
 * The query gateway's wire protocol (docs/decisions, "query gateway"): a client POSTs one region's fragment as JSON to
 * /v1/query and reads an Arrow IPC stream back; errors are a JSON body with a stable code. The fragment is plain data
 * validated here: a table the gateway's topology places in its region, pushed-down columns, a predicate in the
 * predicate grammar of @meridian/delta (never SQL), and what to compute. The table's location is the gateway's own.
 */
import { z } from 'zod';

/** The protocol version a request carries; a gateway refuses one it does not speak. */
export const PROTOCOL_VERSION = 1;

/** The media type of the response body: an Arrow IPC stream (Arrow columnar format, "IPC Streaming Format"). */
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

/** Response header naming what the Arrow stream holds (`rows`, `partial`, `top-k`). */
export const RESULT_KIND_HEADER = 'x-meridian-result';

const name = z.string().min(1).max(256);

const AGGREGATE_FUNCTIONS = [
  'count',
  'sum',
  'min',
  'max',
  'avg',
  'var_samp',
  'var_pop',
  'stddev_samp',
  'stddev_pop',
  'count_distinct',
  'approx_count_distinct',
  'approx_quantile',
] as const;

const OrderKeySchema = z.strictObject({
  column: name,
  descending: z.boolean().exactOptional(),
  nulls: z.enum(['first', 'last']).exactOptional(),
});

const MeasureSchema = z.strictObject({
  fn: z.enum(AGGREGATE_FUNCTIONS),
  column: name.exactOptional(),
  as: name.exactOptional(),
  quantile: z.number().min(0).max(1).exactOptional(),
  hidden: z.boolean().exactOptional(),
});

/**
 * What a fragment computes: `schema` only the schema of its columns (an open: the table is reachable and the
 * request allowed), `rows` streams the scanned rows, `top-k` the region's first `limit` rows in `orderBy`
 * order, `partial` the region's partial aggregate (merged by the client; HAVING, ORDER BY and LIMIT apply after it).
 */
const FragmentModeSchema = z.enum(['schema', 'rows', 'top-k', 'partial']);

/** The body of POST /v1/query. */
export const FragmentRequestSchema = z
  .strictObject({
    version: z.literal(PROTOCOL_VERSION),
    /** The deltaTable component id (`eu-west-1/orders`). */
    component: name,
    /**
     * The table URI the client planned with, if it sends one: the gateway refuses any other than its own location
     * for the component (it never opens a path a request names).
     */
    uri: z.string().max(4096).exactOptional(),
    /** Where the results go (a region id or a jurisdiction code), re-checked against the gateway's topology. */
    from: name.exactOptional(),
    mode: FragmentModeSchema,
    columns: z.array(name).max(1024).exactOptional(),
    /** The predicate as text in @meridian/delta's predicate grammar (`currency = 'EUR' and amount > 10`). */
    where: z.string().max(65_536).exactOptional(),
    limit: z.number().int().nonnegative().exactOptional(),
    orderBy: z.array(OrderKeySchema).max(64).exactOptional(),
    aggregate: z
      .strictObject({
        groupBy: z.array(name).max(64),
        measures: z.array(MeasureSchema).min(1).max(64),
      })
      .exactOptional(),
    /**
     * A broadcast join (docs/decisions "broadcast joins"): this fragment is the probe side. The gateway plans `query`
     * again with its own topology (both tables' classes, the broadcast's entry into this region, minGroupSize by
     * distinct rows) and joins its table with `rows`. The broadcast rows count towards the request size limit.
     */
    join: z
      .strictObject({
        /** The structured query (planQuery's request, `where` as text); `from` is the fragment's. */
        query: z.record(z.string(), z.unknown()),
        /** Which side of the query's join `rows` holds. */
        broadcast: z.enum(['left', 'right']),
        /** The broadcast side's rows: a base64 Arrow IPC stream with a `_meridian_component` column per row. */
        rows: z.string(),
      })
      .exactOptional(),
  })
  .superRefine((request, ctx) => {
    if (request.mode === 'partial' && request.aggregate === undefined)
      ctx.addIssue({ code: 'custom', path: ['aggregate'], message: 'mode partial needs an aggregate' });
    if (request.mode !== 'partial' && request.aggregate !== undefined)
      ctx.addIssue({ code: 'custom', path: ['mode'], message: 'an aggregate is computed in mode partial' });
    if (request.mode === 'top-k' && (request.orderBy === undefined || request.limit === undefined))
      ctx.addIssue({ code: 'custom', path: ['orderBy'], message: 'mode top-k needs orderBy and limit' });
  });

/** A fragment request as sent over the wire. */
export type FragmentRequest = z.infer<typeof FragmentRequestSchema>;

/** Response header carrying the Delta table version read. */
export const VERSION_HEADER = 'x-meridian-table-version';

/** Stable codes of a gateway's JSON error body. */
export type GatewayErrorCode =
  | 'not-found'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'malformed-json'
  | 'invalid-fragment'
  | 'unsupported-version'
  | 'unknown-table'
  | 'undeclared-location'
  | 'residency-violation'
  | 'destination-required'
  | 'too-many-requests'
  | 'not-ready'
  | 'timeout'
  | 'request-timeout'
  | 'fragment-failed'
  | 'internal';

/** The JSON body of every error response. */
export interface GatewayErrorBody {
  readonly error: {
    readonly code: GatewayErrorCode;
    readonly message: string;
    readonly hint?: string;
    /** Where in the request body (zod issue paths), for `invalid-fragment`. */
    readonly issues?: readonly { readonly path: readonly (string | number)[]; readonly message: string }[];
    /** The underlying error's code (a QueryError's or DeltaError's), for `fragment-failed` and residency. */
    readonly cause?: string;
  };
}

/** Error codes after which another attempt (or a replica) may succeed: the gateway was busy, slow or broken. */
export const RETRYABLE_CODES: ReadonlySet<GatewayErrorCode> = new Set([
  'too-many-requests',
  'not-ready',
  'timeout',
  'internal',
]);
