import { DeltaError, type Predicate, parsePredicate } from '@meridian/delta';
import type { Topology } from '@meridian/topology';
import {
  type DataType,
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { ACCUMULATORS } from '../aggregate/accumulators.ts';
import { type Aggregate, buildVector, encodePartial, type PartialAggregate } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import type { RegionRunner, RegionTally, RunnerContext } from '../execute/region-runner.ts';
import type { QueryFragment } from '../plan/plan.ts';
import { type AggregateSite, checkResidency, resolveDestination } from '../plan/residency.ts';
import type { FragmentRequest } from './protocol.ts';
import type { ServedTable } from './serve-table.ts';

/** The column of a partial-aggregate stream holding encoded groups; typed `type:<column>` fields carry the types. */
export const PARTIAL_COLUMN = 'partial';
export const TYPE_FIELD_PREFIX = 'type:';
// Groups per encoded chunk: one Arrow row each, so a large partial streams in pieces.
const GROUPS_PER_CHUNK = 4096;

/** A checked fragment, ready to run: its table, what it computes, and what residency asked of it. */
export interface CheckedFragment {
  readonly served: ServedTable;
  readonly request: FragmentRequest;
  readonly where: Predicate | undefined;
  /** Groups below this many rows are dropped before the partial leaves (a class's `export.minGroupSize`). */
  readonly minGroupSize: number | undefined;
}

/**
 * The gateway's own residency check (defence in depth: the client's planner may be wrong or hostile). The table's
 * data classes against where the results go, with the gateway's topology: raw rows of a class restricted to other
 * jurisdictions are refused; a class that may leave as aggregates leaves only as a partial whose groups are at least
 * `minGroupSize` rows in this region and whose states hold no row values (exact distinct keys, sketch items).
 */
export function checkFragment(model: Topology, served: ServedTable, request: FragmentRequest): CheckedFragment {
  const destination = request.from === undefined ? undefined : resolveDestination(model, request.from);
  const aggregate: Aggregate | undefined = request.aggregate;
  // A schema is the columns the topology declares, no row's data: only what returns data is checked.
  const residency =
    request.mode === 'schema' ? { site: undefined } : checkResidency(model, [served.table], destination, { aggregate });
  let where: Predicate | undefined;
  if (request.where !== undefined) {
    try {
      where = parsePredicate(request.where);
    } catch (error) {
      if (error instanceof DeltaError) {
        throw new QueryError('invalid-predicate', error.message, {
          path: ['where'],
          hint: error.hint ?? "write a condition such as currency = 'EUR'",
          cause: error,
        });
      }
      throw error;
    }
  }
  if (residency.site !== undefined && aggregate !== undefined) {
    refuseRowValuePartials(aggregate.measures, residency.site, served.table.id);
  }
  return { served, request, where, minGroupSize: residency.site?.minGroupSize };
}

/**
 * Refuses a partial whose state carries row values (exact distinct keys, sketch items, extremes, quantiles) out of
 * a region whose table holds a class that may leave only as aggregates: the single fragment and the joined one alike.
 */
export function refuseRowValuePartials(measures: Aggregate['measures'], site: AggregateSite, table: string): void {
  for (const m of measures) {
    if (!ACCUMULATORS[m.fn].holdsRowValues) continue;
    throw new QueryError(
      'residency-violation',
      `${m.fn}(${m.column ?? '*'})'s partial state holds row values of ${table} ('${site.dataClasses.join("', '")}'), which may leave ${site.jurisdiction} only as aggregates`,
      {
        path: ['aggregate', 'measures'],
        hint: 'use count, sum, avg, variance or stddev across the border: distinct counts, their sketches, extremes and quantiles carry row values',
      },
    );
  }
}

/** What a fragment returns: the stream's schema (sent first, also when no row matches) and its batches. */
export interface FragmentStream {
  readonly schema: Schema;
  readonly batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>;
  /** The table version read. */
  readonly version: number | undefined;
}

/**
 * Runs a checked fragment over its table through a region runner (the seam executeQuery uses: DuckDB by default, JS
 * where DuckDB cannot read the table exactly), so a gateway computes exactly what the in-process path would.
 * Partials and top-k are computed before the first batch is sent.
 */
export async function runFragment(
  fragment: CheckedFragment,
  runner: RegionRunner,
  context: RunnerContext,
): Promise<FragmentStream> {
  const { served, request, where } = fragment;
  const region = served.home;
  const queryFragment: QueryFragment = {
    component: served.table.id,
    // Rows belong to the table's region (its `_region`), also when a replica serves them.
    region,
    jurisdiction: undefined,
    uri: served.uri,
    uriSource: 'location',
    dataClasses: served.table.dataClasses,
    columns: request.columns,
    where,
    limit: request.mode === 'rows' ? request.limit : undefined,
    orderBy: request.mode === 'top-k' ? request.orderBy : undefined,
  };
  const opened = await runner.open(queryFragment, context);
  const version = opened.version;
  const tally: RegionTally = { rows: 0, metrics: undefined, runner: opened.runner, runnerReason: opened.runnerReason };
  if (request.mode === 'partial') {
    const aggregate = request.aggregate as Aggregate;
    const partial = await opened.aggregate(aggregate, tally);
    if (fragment.minGroupSize !== undefined) {
      for (const [key, group] of partial.groups) if (group.rows < fragment.minGroupSize) partial.groups.delete(key);
    }
    return { schema: partialSchema(partial), batches: partialBatches(partial, aggregate), version };
  }
  const schema = new Schema(opened.fields());
  if (request.mode === 'schema') return { schema, batches: [], version };
  if (request.mode === 'rows')
    return { schema, batches: conformed(until(opened.rows(tally), context.signal), schema), version };
  const rows = await opened.topK(schema, request.orderBy ?? [], request.limit ?? 0, tally);
  const vectors: Vector[] = schema.fields.map((f, i) =>
    buildVector(
      f.type as DataType,
      rows.map((r) => r[i] ?? null),
    ),
  );
  return { schema, batches: [batchOf(schema, vectors, rows.length)], version };
}

/** The scan's batches under the stream's schema (the same columns and types; every field nullable). */
async function* conformed(batches: AsyncIterable<RecordBatch>, schema: Schema): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) {
    if (batch.numRows === 0) continue;
    yield new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: batch.data.children }),
    );
  }
}

/** Stops reading the scan once the query's time is up (the scan's files close as iteration returns). */
async function* until(batches: AsyncIterable<RecordBatch>, signal: AbortSignal): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) {
    if (signal.aborted) throw signal.reason;
    yield batch;
  }
}

function batchOf(schema: Schema, vectors: readonly Vector[], length: number): RecordBatch {
  return new RecordBatch(
    schema,
    makeData({
      type: new Struct(schema.fields),
      length,
      nullCount: 0,
      children: vectors.map((v) => v.data[0] as NonNullable<(typeof v.data)[0]>),
    }),
  );
}

/** The partial's schema: the encoded chunk column, then one typed (always null) field per input column type. */
export function partialSchema(partial: PartialAggregate): Schema {
  return new Schema([
    new Field(PARTIAL_COLUMN, new Utf8(), false),
    ...[...partial.types].map(([n, t]) => new Field(`${TYPE_FIELD_PREFIX}${n}`, t, true)),
  ]);
}

/** A partial aggregate as Arrow batches: one row per chunk of groups, encoded as the in-process path encodes. */
export function* partialBatches(partial: PartialAggregate, aggregate: Aggregate): Generator<RecordBatch> {
  const schema = partialSchema(partial);
  const groups = [...partial.groups];
  for (let start = 0; start === 0 || start < groups.length; start += GROUPS_PER_CHUNK) {
    const chunk: PartialAggregate = {
      types: partial.types,
      groups: new Map(groups.slice(start, start + GROUPS_PER_CHUNK)),
    };
    const text = new TextDecoder().decode(encodePartial(chunk, aggregate));
    const vectors = schema.fields.map((f, i) =>
      i === 0 ? vectorFromArray([text], new Utf8()) : vectorFromArray([null], f.type as DataType),
    );
    yield batchOf(schema, vectors, 1);
  }
}
