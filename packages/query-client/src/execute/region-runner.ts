import type { OpenStorageOptions, ScanMetrics, Storage } from '@meridian/delta';
import type { Field, RecordBatch, Schema } from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import type { Aggregate, OrderKey, PartialAggregate } from '../aggregate/aggregate.ts';
import type { JoinPlan } from '../plan/join-plan.ts';
import type { QueryFragment, QueryPlan } from '../plan/plan.ts';
import type { BorderCrossing } from './crossings.ts';

/** One row of a region's top-k: its values in the output schema's order (`_region` last). */
export type TopKRow = Value[];

/**
 * Where a region's figures go while its fragment runs: the rows it read and what its scan read and skipped. The
 * executor owns it (it becomes the query's `RegionReport`); a runner only adds to it.
 */
export interface RegionTally {
  rows: number;
  metrics: ScanMetrics | undefined;
  /** The runner that did the work: set from {@link OpenedRegion.runner}, changed by a runner that falls back. */
  runner: string;
  /** Why that runner and not the one asked for, when it is not. */
  runnerReason: string | undefined;
}

/** What a runner is given besides the fragment: how to reach the table and when to stop. */
export interface RunnerContext {
  /** Opens the fragment's storage (`openStorage(uri, options.storage)` unless the caller gave its own). */
  readonly openStorage: (uri: string, fragment: QueryFragment) => Storage;
  /** Connection settings for `s3://` URIs, for runners that read the files themselves. */
  readonly storage: OpenStorageOptions | undefined;
  /** Stops the region's work when aborted. */
  readonly signal: AbortSignal;
}

/**
 * A region whose table a runner has opened: its version, its columns, and the three shapes of work a fragment can
 * be. Each method runs at most once per query.
 */
export interface OpenedRegion {
  /** Which runner does the work (`js`, `duckdb`, ...): EXPLAIN and the metrics say so. */
  readonly runner: string;
  /** Why this runner and not the one asked for (a fallback), when it is not. */
  readonly runnerReason: string | undefined;
  /** The table version read. */
  readonly version: number | undefined;
  /** The Arrow fields the fragment returns (its selected columns); throws on an unknown column. */
  fields(): Field[];
  /** The region's partial aggregate over the fragment's rows (the predicate applied). */
  aggregate(aggregate: Aggregate, tally: RegionTally): Promise<PartialAggregate>;
  /** The region's first `k` rows in `orderBy` order, values in `schema`'s order (`_region` filled in). */
  topK(schema: Schema, orderBy: readonly OrderKey[], k: number, tally: RegionTally): Promise<TopKRow[]>;
  /** The fragment's rows, in batches of the region's own columns (the executor conforms them to the output). */
  rows(tally: RegionTally): AsyncIterable<RecordBatch>;
}

/**
 * The seam through which a region's fragment is executed: the JS scan of @meridian/delta, DuckDB over the files
 * the snapshot selected, a query gateway over HTTP, or a distributed engine. {@link executeQuery} opens every
 * region through one runner and merges what the regions return.
 */
export interface RegionRunner {
  /** The runner's name as EXPLAIN prints it. */
  readonly name: string;
  /** Opens the fragment's table (or reaches the place that will run it); rejects when the region cannot be read. */
  open(fragment: QueryFragment, context: RunnerContext): Promise<OpenedRegion>;
  /**
   * Refuses, before any region is read, a plan this runner could only answer wrongly (a query gateway cannot finish
   * an aggregates-only export whose groups span regions). A runner without it answers every plan.
   */
  checkPlan?(plan: QueryPlan): void;
  /**
   * Runs a broadcast join where the probe side's regions are (a query gateway): reads the broadcast side once,
   * chooses the direction, and returns the probe side's plan and the runner of its regions. A runner without it
   * leaves the join to the in-process hash join (src/join/).
   */
  join?(
    plan: QueryPlan & { readonly join: JoinPlan },
    join: RunnerJoin,
  ): Promise<{ plan: QueryPlan; runner: RegionRunner }>;
}

/** What {@link RegionRunner.join} is given by the executor. */
export interface RunnerJoin {
  /** The most broadcast rows sent, in bytes of their Arrow buffers. */
  readonly maxBroadcastBytes: number;
  readonly context: RunnerContext;
  /** Records the broadcast's crossings (from its regions to each probe region). */
  readonly cross: (crossing: BorderCrossing) => void;
}
