import { DeltaError, type OpenStorageOptions, openStorage, type ScanMetrics, type Storage } from '@meridian/delta';
import {
  type Data,
  type DataType,
  Field,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import {
  decodePartial,
  encodePartial,
  mergedTypes,
  mergePartials,
  type PartialAggregate,
} from '../aggregate/aggregate.ts';
import { QueryError, regionsOption } from '../errors.ts';
import { chooseBroadcast, DEFAULT_MAX_BROADCAST_BYTES, readBroadcast } from '../join/broadcast.ts';
import { type JoinRun, joinRun } from '../join/join-runner.ts';
import type { QueryFragment, QueryPlan } from '../plan/plan.ts';
import type { AggregateSite } from '../plan/residency.ts';
import { Channel } from './channel.ts';
import { type BorderCrossing, batchBytes } from './crossings.ts';
import { defaultRunner } from './default-runner.ts';
import type { OpenedRegion, RegionRunner, TopKRow } from './region-runner.ts';
import { mergeTopK } from './top-k.ts';

/** What to do when a region cannot be read: fail the query, or return the others and say which are missing. */
export type RegionFailurePolicy = 'fail' | 'partial';

/** Options of {@link executeQuery}. */
export interface ExecuteOptions {
  /** `fail` (default): the first region error fails the query. `partial`: it is recorded in `missingRegions`. */
  readonly onRegionFailure?: RegionFailurePolicy;
  /** Connection settings for `s3://` URIs (endpoint, credentials). */
  readonly storage?: OpenStorageOptions;
  /** Opens a fragment's storage; `openStorage(uri, options.storage)` by default. */
  readonly openStorage?: (uri: string, fragment: QueryFragment) => Storage;
  /** Stops every scan when aborted. */
  readonly signal?: AbortSignal;
  /** Called with every border crossing and the bytes that crossed (partial and final aggregates as encoded). */
  readonly onCrossing?: (crossing: BorderCrossing, payload: Uint8Array | undefined) => void;
  /**
   * Runs each region's fragment: DuckDB over the files the snapshot selected by default (`duckdbRunner`, which runs
   * in JS what it cannot run exactly), or `jsRunner` (the JS scan of @meridian/delta), or another runner. A join
   * runs in JS in process (the broadcast hash join of src/join/), unless the runner joins itself (`gatewayRunner`: at
   * the probe regions' gateways).
   */
  readonly runner?: RegionRunner;
  /** A join refuses to broadcast a side whose Delta files selected are larger than this (32 MiB by default). */
  readonly maxBroadcastBytes?: number;
}

/** A region left out of a partial result, and why. */
export interface MissingRegion {
  readonly region: string;
  readonly component: string;
  readonly uri: string;
  /** The error's code (`not-a-table`, `storage`, `unsupported-reader-feature`, ...) and message. */
  readonly code: string;
  readonly message: string;
  /** Rows of this region already returned before it failed (0 when it failed on open). */
  readonly rowsBeforeFailure: number;
}

/** Rows each region returned. */
export interface RegionReport {
  readonly region: string;
  readonly component: string;
  readonly uri: string;
  readonly version: number | undefined;
  rows: number;
  /** What the region's scan read and skipped (files by partition and by statistics, row groups, bytes). */
  metrics: ScanMetrics | undefined;
  /** Which runner ran the region's fragment (`js`, `duckdb`, ...). */
  runner: string;
  /** Why that runner and not the one asked for (a fallback), when it is not. */
  runnerReason: string | undefined;
}

/** A running federated query: iterate its batches, or collect them with `toArrow()`. */
export interface QueryResult extends AsyncIterable<RecordBatch> {
  /** Collects every batch into one table (schema: the union of the regions' columns, then `_region`). */
  toArrow(): Promise<Table>;
  /** Regions that failed under `onRegionFailure: 'partial'`; complete once iteration has ended. */
  readonly missingRegions: readonly MissingRegion[];
  /** Per-region row counts and versions read; complete once iteration has ended. */
  readonly regions: readonly RegionReport[];
  /** What moved between regions and to the destination, with bytes; complete once iteration has ended. */
  readonly crossings: readonly BorderCrossing[];
  /** Groups an export rule's minGroupSize suppressed (inside the class's jurisdiction). */
  readonly suppressedGroups: number;
}

const REGION_COLUMN = '_region';

interface Opened {
  readonly fragment: QueryFragment;
  readonly region: OpenedRegion;
  readonly report: RegionReport;
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof DeltaError || error instanceof QueryError) return { code: error.code, message: error.message };
  return { code: 'error', message: error instanceof Error ? error.message : String(error) };
}

function regionFailed(plan: QueryPlan, fragment: QueryFragment, error: unknown): QueryError {
  const { code, message } = describe(error);
  const others = [...new Set(plan.fragments.map((f) => f.region))].filter((r) => r !== fragment.region);
  const leaveOut = others.length > 0 ? `, leave it out: ${regionsOption(others)}` : '';
  return new QueryError(
    'region-failed',
    `region ${fragment.region} (${fragment.component} at ${fragment.uri}) failed: ${message}`,
    {
      path: [fragment.component],
      hint: `${error instanceof DeltaError && error.hint ? `${error.hint}; ` : ''}fix ${fragment.region}${leaveOut}, or accept a partial result: onRegionFailure: 'partial' [${code}]`,
      cause: error,
    },
  );
}

/** The union of the regions' fields, in first-seen order; the same name with two types conflicts. */
function unionFields(
  perRegion: readonly { opened: Opened; fields: Field[] }[],
  onConflict: (opened: Opened, error: QueryError) => void,
): Field[] {
  const out: Field[] = [];
  for (const { opened, fields } of perRegion) {
    const conflict = fields.find((f) => {
      const seen = out.find((o) => o.name === f.name);
      return seen !== undefined && String(seen.type) !== String(f.type);
    });
    if (conflict) {
      const seen = out.find((o) => o.name === conflict.name) as Field;
      onConflict(
        opened,
        new QueryError(
          'schema-conflict',
          `column '${conflict.name}' is ${String(conflict.type)} in ${opened.fragment.region} but ${String(seen.type)} elsewhere`,
          {
            path: [opened.fragment.component],
            hint: `select columns of one type in every region, or cast ${conflict.name} in the table`,
          },
        ),
      );
      continue;
    }
    for (const f of fields) if (!out.some((o) => o.name === f.name)) out.push(f);
  }
  return out;
}

/** A batch reshaped to the output schema: missing columns as nulls, `_region` appended. */
function conform(batch: RecordBatch, schema: Schema, region: string): RecordBatch {
  const n = batch.numRows;
  const children: Data[] = schema.fields.map((field) => {
    if (field.name === REGION_COLUMN)
      return vectorFromArray(
        Array.from({ length: n }, () => region),
        new Utf8(),
      ).data[0] as Data;
    const index = batch.schema.fields.findIndex((f) => f.name === field.name);
    if (index >= 0) return batch.data.children[index] as Data;
    return makeData({
      type: field.type as DataType,
      length: n,
      nullCount: n,
      nullBitmap: new Uint8Array(((n + 63) & ~63) >> 3),
    } as never);
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

/**
 * Runs a plan: opens every region's table concurrently, scans them with the pushed-down columns,
 * predicate and limit, and streams their batches as they arrive with a `_region` column. A global
 * limit stops early and cancels the scans still running; an aggregate is computed per region and
 * merged. Region failures follow `onRegionFailure`.
 *
 * ```ts
 * const result = executeQuery(plan, { onRegionFailure: 'partial' });
 * const table = await result.toArrow();
 * if (result.missingRegions.length) console.warn(result.missingRegions);
 * ```
 */
export function executeQuery(plan: QueryPlan, options: ExecuteOptions = {}): QueryResult {
  const missing: MissingRegion[] = [];
  const reports: RegionReport[] = [];
  const crossings: BorderCrossing[] = [];
  let suppressedGroups = 0;
  // Where results go: the destination region, a jurisdiction, or the client when the request named none.
  const destination = {
    to: plan.destination ? (plan.destination.region ?? `jurisdiction ${plan.destination.jurisdiction}`) : 'client',
    jurisdiction: plan.destination?.jurisdiction,
  };
  const policy = options.onRegionFailure ?? 'fail';
  const open = options.openStorage ?? ((uri: string) => openStorage(uri, options.storage ?? {}));

  async function* run(): AsyncGenerator<RecordBatch> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    const fail = (fragment: QueryFragment, error: unknown, rows: number): void => {
      if (policy === 'fail') throw regionFailed(plan, fragment, error);
      missing.push({
        region: fragment.region,
        component: fragment.component,
        uri: fragment.uri,
        ...describe(error),
        rowsBeforeFailure: rows,
      });
    };
    try {
      let join: JoinRun | undefined;
      let joinedRunner: RegionRunner | undefined;
      if (plan.join && options.runner?.join) {
        // A runner that joins where the probe regions are (a query gateway) reads no table here.
        const remote = await options.runner.join(
          { ...plan, join: plan.join },
          {
            maxBroadcastBytes: options.maxBroadcastBytes ?? DEFAULT_MAX_BROADCAST_BYTES,
            context: { openStorage: open, storage: options.storage, signal: controller.signal },
            cross: (c) => cross(c, undefined),
          },
        );
        plan = remote.plan;
        joinedRunner = remote.runner;
      } else if (plan.join) {
        // The broadcast side is chosen by size, read once and sent to the probe regions, which join in JS.
        const chosen = await chooseBroadcast({ ...plan, join: plan.join }, open, options.maxBroadcastBytes);
        plan = chosen.plan;
        join = joinRun(
          chosen,
          Promise.resolve(await readBroadcast(chosen, (c) => cross(c, undefined), controller.signal)),
        );
      }
      options.runner?.checkPlan?.(plan);
      const runner = joinedRunner ?? join?.runner ?? options.runner ?? defaultRunner();
      const settled = await Promise.allSettled(
        plan.fragments.map(async (fragment): Promise<Opened> => {
          const region = await runner.open(fragment, {
            openStorage: open,
            storage: options.storage,
            signal: controller.signal,
          });
          return {
            fragment,
            region,
            report: {
              region: fragment.region,
              component: fragment.component,
              uri: fragment.uri,
              version: region.version,
              rows: 0,
              metrics: undefined,
              runner: region.runner,
              runnerReason: region.runnerReason,
            },
          };
        }),
      );
      const opened: Opened[] = [];
      for (const [i, s] of settled.entries()) {
        if (s.status === 'fulfilled') opened.push(s.value);
        else fail(plan.fragments[i] as QueryFragment, s.reason, 0);
      }
      const withFields: { opened: Opened; fields: Field[] }[] = [];
      for (const o of opened) {
        try {
          withFields.push({ opened: o, fields: plan.aggregate ? [] : o.region.fields() });
        } catch (error) {
          fail(o.fragment, error, 0);
        }
      }
      const live: { opened: Opened; fields: Field[] }[] = [];
      const conflicted = new Set<Opened>();
      const fields = unionFields(withFields, (o, error) => {
        conflicted.add(o);
        fail(o.fragment, error, 0);
      });
      for (const w of withFields) if (!conflicted.has(w.opened)) live.push(w);
      for (const w of live) reports.push(w.opened.report);
      if (live.length === 0 && plan.fragments.length > 0) {
        throw new QueryError('all-regions-failed', `no region of '${plan.table}' could be read`, {
          path: [plan.table],
          hint: `fix the regions: ${missing.map((m) => `${m.region}: ${m.message}`).join('; ')}`,
        });
      }

      if (plan.aggregate) {
        const aggregate = plan.aggregate;
        // async: a runner that throws before its promise (a scan refusing a column) fails its region like one that rejects.
        const partials = await Promise.allSettled(
          live.map(async ({ opened: o }) => o.region.aggregate(aggregate, o.report)),
        );
        const ok: { partial: PartialAggregate; fragment: QueryFragment }[] = [];
        for (const [i, p] of partials.entries()) {
          const o = (live[i] as { opened: Opened }).opened;
          if (p.status !== 'fulfilled') fail(o.fragment, p.reason, 0);
          else ok.push({ partial: p.value, fragment: o.fragment });
        }
        if (ok.length === 0 && live.length > 0) throw noRegionAnswered();
        // One type per column across the regions that answered, before any partial crosses a border: an Int32 and
        // an Int64 region widen to Int64, a Float32 and a Float64 one to Float64; anything else (a string and a
        // number, decimals of two scales) refuses the query, naming every region's type. Not one region's failure:
        // leaving out whichever answered second would make the answer depend on the order of the regions.
        mergedTypes(ok.map(({ partial, fragment }) => ({ types: partial.types, region: fragment.region })));
        if (options.signal?.aborted) {
          throw new QueryError('aborted', `the query of '${plan.table}' was aborted`, {
            path: [plan.table],
            hint: 'run it again without aborting the signal',
            cause: options.signal.reason,
          });
        }
        // Partials travel encoded (what a gateway would send) to where the merge runs: the destination, or, when a
        // class may leave its jurisdiction only as aggregates, a region inside it (plan.aggregateSite).
        const site = plan.aggregateSite;
        const mergeAt = site ? { to: site.region, jurisdiction: site.jurisdiction } : destination;
        const arrived = ok.map(({ partial, fragment }) => {
          const bytes = encodePartial(partial, aggregate);
          cross(
            {
              from: fragment.region,
              fromJurisdiction: fragment.jurisdiction,
              to: mergeAt.to,
              toJurisdiction: mergeAt.jurisdiction,
              what: 'partial aggregates',
              count: partial.groups.size,
              bytes: bytes.length,
            },
            bytes,
          );
          return { partial: decodePartial(bytes, aggregate, partial.types), fragment };
        });
        const countedPartials = site
          ? new Set(arrived.filter((a) => site.counted.includes(a.fragment.component)).map((a) => a.partial))
          : undefined;
        // HAVING, then ORDER BY, then LIMIT, all after the final merge (a group's value is known only then).
        const { table, suppressed } = mergePartials(
          arrived.map((a) => a.partial),
          aggregate,
          {
            ...(plan.orderBy ? { orderBy: plan.orderBy } : {}),
            ...(plan.limit !== undefined ? { limit: plan.limit } : {}),
            regions: arrived.map((a) => a.fragment.region),
            ...(site && countedPartials
              ? { minGroupSize: { rows: site.minGroupSize, counted: join ? joinCounted(join, site) : countedPartials } }
              : {}),
          },
        );
        suppressedGroups = suppressed;
        if (site) {
          const bytes = tableToIPC(table, 'stream');
          cross(
            {
              from: site.region,
              fromJurisdiction: site.jurisdiction,
              to: destination.to,
              toJurisdiction: destination.jurisdiction,
              what: 'final aggregates',
              count: table.numRows,
              bytes: bytes.length,
            },
            bytes,
          );
        }
        outputSchema = table.schema;
        yield* table.batches;
        return;
      }

      const schema = new Schema([...fields, new Field(REGION_COLUMN, new Utf8(), false)]);
      outputSchema = schema;
      if (plan.orderBy !== undefined && plan.limit !== undefined) {
        // ORDER BY ... LIMIT k: each region's top k (in the region), then a k-way merge of k rows per region.
        const orderBy = plan.orderBy;
        const k = plan.limit;
        const tops = await Promise.allSettled(
          live.map(async ({ opened: o }) => o.region.topK(schema, orderBy, k, o.report)),
        );
        const lists: TopKRow[][] = [];
        for (const [i, t] of tops.entries()) {
          const fragment = (live[i] as { opened: Opened }).opened.fragment;
          if (t.status === 'fulfilled') {
            lists.push(t.value);
            const bytes = new TextEncoder().encode(
              JSON.stringify(t.value, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
            );
            cross(
              {
                from: fragment.region,
                fromJurisdiction: fragment.jurisdiction,
                to: destination.to,
                toJurisdiction: destination.jurisdiction,
                what: 'rows',
                count: t.value.length,
                bytes: bytes.length,
              },
              bytes,
            );
          } else fail((live[i] as { opened: Opened }).opened.fragment, t.reason, 0);
        }
        if (lists.length === 0 && live.length > 0) throw noRegionAnswered();
        yield* mergeTopK(lists, schema, orderBy, k).batches;
        return;
      }
      yield* stream(
        live.map((w) => w.opened),
        schema,
        plan.limit,
        controller.signal,
        fail,
      );
    } finally {
      options.signal?.removeEventListener('abort', abort);
      controller.abort();
    }
  }

  /** A join's distinct counted rows per group, sent from every region that answered to the merge site. */
  function joinCounted(join: JoinRun, site: AggregateSite): Set<PartialAggregate> {
    const answered = plan.fragments.filter((f) => !missing.some((m) => m.component === f.component));
    const partial = join.countedPartial(site, answered, (fragment, bytes) =>
      cross(
        {
          from: fragment.region,
          fromJurisdiction: fragment.jurisdiction,
          to: site.region,
          toJurisdiction: site.jurisdiction,
          what: 'partial aggregates',
          count: 0,
          bytes: bytes.length,
        },
        bytes,
      ),
    );
    return new Set([partial]);
  }

  /** Every region failed after it opened (under 'partial'): the query has no answer, not an empty one. */
  function noRegionAnswered(): QueryError {
    return new QueryError('all-regions-failed', `no region of '${plan.table}' could be read`, {
      path: [plan.table],
      hint: `fix the regions: ${missing.map((m) => `${m.region}: ${m.message}`).join('; ')}`,
    });
  }

  function cross(crossing: BorderCrossing, payload: Uint8Array | undefined): void {
    if (crossing.from === crossing.to) return;
    crossings.push(crossing);
    options.onCrossing?.(crossing, payload);
  }

  async function* stream(
    opened: readonly Opened[],
    schema: Schema,
    limit: number | undefined,
    signal: AbortSignal,
    fail: (fragment: QueryFragment, error: unknown, rows: number) => void,
  ): AsyncGenerator<RecordBatch> {
    // A few batches per region may wait; a producer pauses when the channel is full.
    const channel = new Channel<{ batch: RecordBatch } | { error: unknown; fragment: QueryFragment; rows: number }>(
      opened.length * 2,
    );
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    let failed = 0;
    const producers = opened.map(async (o) => {
      const scan = o.region.rows(o.report);
      const crossing: BorderCrossing = {
        from: o.fragment.region,
        fromJurisdiction: o.fragment.jurisdiction,
        to: destination.to,
        toJurisdiction: destination.jurisdiction,
        what: 'rows',
        count: 0,
        bytes: 0,
      };
      cross(crossing, undefined);
      try {
        for await (const batch of scan) {
          if (signal.aborted) break;
          if (batch.numRows === 0) continue;
          o.report.rows += batch.numRows;
          crossing.count += batch.numRows;
          crossing.bytes += batchBytes(batch);
          if (!(await channel.push({ batch: conform(batch, schema, o.fragment.region) }, signal))) break;
        }
      } catch (error) {
        if (!signal.aborted) await channel.push({ error, fragment: o.fragment, rows: o.report.rows }, signal);
      }
    });
    void Promise.all(producers).then(() => channel.close());
    try {
      for (;;) {
        if (remaining <= 0) return;
        const item = await channel.pull();
        // An abort ends the scans early: say so rather than return a silently shortened result.
        if (options.signal?.aborted) {
          throw new QueryError('aborted', `the query of '${plan.table}' was aborted`, {
            path: [plan.table],
            hint: 'run it again without aborting the signal',
            cause: options.signal.reason,
          });
        }
        // Every region failed (under 'partial'): no answer, rather than an empty one.
        if (item === undefined) {
          if (failed === opened.length && opened.length > 0) throw noRegionAnswered();
          return;
        }
        if ('error' in item) {
          failed++;
          fail(item.fragment, item.error, item.rows);
          continue;
        }
        const batch = item.batch.numRows > remaining ? item.batch.slice(0, remaining) : item.batch;
        remaining -= batch.numRows;
        yield batch;
      }
    } finally {
      // Stops the producers (limit reached, a failure, or the consumer stopped early); scans end at their next batch.
      channel.close();
    }
  }

  let outputSchema = new Schema([]);
  let iterated = false;
  const result: QueryResult = {
    missingRegions: missing,
    regions: reports,
    crossings,
    get suppressedGroups() {
      return suppressedGroups;
    },
    [Symbol.asyncIterator]() {
      if (iterated) {
        throw new QueryError('invalid-request', 'a query result can be iterated once', {
          hint: 'run executeQuery(plan) again, or collect it once with toArrow()',
        });
      }
      iterated = true;
      return run();
    },
    async toArrow() {
      const batches: RecordBatch[] = [];
      for await (const batch of result) batches.push(batch);
      if (batches.length > 0) return new Table(batches);
      return new Table(outputSchema);
    },
  };
  return result;
}
