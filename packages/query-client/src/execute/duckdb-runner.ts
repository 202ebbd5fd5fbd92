import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  type DeltaFile,
  type DeltaType,
  openTable,
  type PredicateNode,
  resolveTablePath,
  type ScanMetrics,
  type Snapshot,
} from '@meridian/delta';
import { type Data, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import { type Aggregate, buildVector, type OrderKey, type PartialAggregate } from '../aggregate/aggregate.ts';
import type { QueryFragment } from '../plan/plan.ts';
import { aggregateColumns, aggregateSql, NotExact } from './duckdb-aggregate.ts';
import { absentColumns, isLocal, type RegionSource, regionSource, unsupportedColumn } from './duckdb-source.ts';
import { ident, predicateSql, sqlType } from './duckdb-sql.ts';
import { fragmentFields, jsRegion, scanOptions } from './js-runner.ts';
import type { OpenedRegion, RegionRunner, RegionTally, RunnerContext, TopKRow } from './region-runner.ts';

type DuckDBModule = typeof import('@duckdb/node-api');

/** Options of {@link duckdbRunner}. */
export interface DuckDBRunnerOptions {
  /** The DuckDB instance to run in; an in-memory one is made on first use otherwise. */
  readonly instance?: DuckDBInstance;
}

function predicateColumns(node: PredicateNode, out: Set<string>): Set<string> {
  switch (node.kind) {
    case 'compare':
    case 'in':
    case 'is-null':
      out.add(node.column[0] as string);
      break;
    case 'and':
    case 'or':
      for (const child of node.children) predicateColumns(child, out);
      break;
    case 'not':
      predicateColumns(node.child, out);
      break;
    case 'constant':
      break;
  }
  return out;
}

/** The metrics of a DuckDB run: files as the log selected them; bytes are the files' sizes (an upper bound). */
function selectionMetrics(
  selection: { files: DeltaFile[]; skippedByPartition: number; skippedByStats: number },
  rows: number,
): ScanMetrics {
  return {
    filesTotal: selection.files.length + selection.skippedByPartition + selection.skippedByStats,
    filesSkippedByPartition: selection.skippedByPartition,
    filesSkippedByStats: selection.skippedByStats,
    filesRead: selection.files.length,
    // Row groups are DuckDB's own skipping, not counted here.
    rowGroupsTotal: 0,
    rowGroupsSkipped: 0,
    rowsDecoded: selection.files.reduce((sum, f) => sum + (f.stats?.numRecords ?? 0), 0),
    rowsReturned: rows,
    bytesFetched: selection.files.reduce((sum, f) => sum + f.size, 0),
  };
}

/** Whether a DuckDB error says a column is in none of the files read (a column added after they were written). */
function isMissingColumn(error: unknown): boolean {
  return error instanceof Error && /Binder Error/i.test(error.message) && /not found/i.test(error.message);
}

/**
 * A region run in DuckDB: the snapshot (our reader) selects the files, DuckDB reads exactly those with
 * `read_parquet`, partition values from the log, deletion vectors applied, and computes the partial aggregate or
 * the top-k in SQL. What it cannot do exactly runs in JS, and the tally says so.
 */
function duckRegion(
  fragment: QueryFragment,
  snapshot: Snapshot,
  where: string | undefined,
  whereColumns: ReadonlySet<string>,
  connect: () => Promise<DuckDBConnection>,
  signal: AbortSignal,
  duckdb: () => Promise<DuckDBModule>,
): OpenedRegion {
  const js = jsRegion(fragment, snapshot);
  const typeOf = (name: string): DeltaType | undefined => snapshot.schema.fields.find((f) => f.name === name)?.type;
  const fallBack = (tally: RegionTally, reason: string) => {
    tally.runner = 'js';
    tally.runnerReason = reason;
  };

  /** Runs `sql(from)` over the fragment's selected files with `columns` in the source; undefined after a fallback. */
  async function run(
    columns: readonly string[],
    sql: (from: string) => string,
    tally: RegionTally,
  ): Promise<{ rows: unknown[][]; selection: ReturnType<ReturnType<Snapshot['scan']>['selectFiles']> } | undefined> {
    const wanted = [...new Set([...columns, ...whereColumns])];
    const unsupported = unsupportedColumn(snapshot, wanted);
    if (unsupported) {
      fallBack(tally, unsupported);
      return undefined;
    }
    const selection = snapshot.scan(scanOptions(fragment)).selectFiles();
    if (selection.files.length === 0) return { rows: [], selection };
    const connection = await connect();
    const interrupt = () => connection.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    let source: RegionSource | undefined;
    try {
      source = await regionSource(connection, snapshot, selection.files, wanted, new Set());
      try {
        return { rows: (await connection.runAndReadAll(sql(source.from))).getRowsJS() as unknown[][], selection };
      } catch (error) {
        if (!isMissingColumn(error)) throw error;
        // A column some files lack is NULL there (union_by_name); one that none has is NULL everywhere.
        await source.release();
        const absent = await absentColumns(connection, snapshot, selection.files, wanted);
        source = await regionSource(connection, snapshot, selection.files, wanted, absent);
        return { rows: (await connection.runAndReadAll(sql(source.from))).getRowsJS() as unknown[][], selection };
      }
    } catch (error) {
      if (signal.aborted) throw error;
      fallBack(tally, `DuckDB failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      return undefined;
    } finally {
      signal.removeEventListener('abort', interrupt);
      await source?.release().catch(() => undefined);
      connection.closeSync();
    }
  }

  return {
    runner: 'duckdb',
    runnerReason: undefined,
    version: snapshot.version,
    fields: () => fragmentFields(fragment, snapshot),
    async aggregate(aggregate: Aggregate, tally: RegionTally): Promise<PartialAggregate> {
      const prepared = aggregateSql(aggregate, typeOf, where, fragment.region);
      if (typeof prepared === 'string') {
        fallBack(tally, prepared);
        return js.aggregate(aggregate, tally);
      }
      const done = await run(aggregateColumns(aggregate), prepared.sql, tally);
      if (!done) return js.aggregate(aggregate, tally);
      let partial: PartialAggregate;
      try {
        partial = prepared.read(done.rows);
      } catch (error) {
        if (!(error instanceof NotExact)) throw error;
        fallBack(tally, error.message);
        return js.aggregate(aggregate, tally);
      }
      let rows = 0;
      for (const g of partial.groups.values()) rows += g.rows;
      tally.rows += rows;
      tally.metrics = selectionMetrics(done.selection, rows);
      return partial;
    },
    async topK(schema: Schema, orderBy: readonly OrderKey[], k: number, tally: RegionTally): Promise<TopKRow[]> {
      const names = schema.fields.map((f) => f.name);
      const own = names.filter((n) => n !== '_region' && typeOf(n) !== undefined);
      const order = orderBy
        .filter((key) => own.includes(key.column))
        .map((key) => {
          // As compareValues: nulls last ascending and first descending unless told.
          const nullsFirst = key.nulls === undefined ? key.descending === true : key.nulls === 'first';
          return `${ident(key.column)} ${key.descending ? 'DESC' : 'ASC'} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`;
        });
      const outs = own.map((n) =>
        (sqlType(typeOf(n) as DeltaType) as NonNullable<ReturnType<typeof sqlType>>).out(ident(n)),
      );
      const sql = (from: string) =>
        `SELECT ${outs.length > 0 ? outs.join(', ') : '1'} FROM ${from} AS s${where ? ` WHERE ${where}` : ''}${
          order.length > 0 ? ` ORDER BY ${order.join(', ')}` : ''
        } LIMIT ${k}`;
      const done = await run(own, sql, tally);
      if (!done) return js.topK(schema, orderBy, k, tally);
      const rows = done.rows.map(
        (row): TopKRow =>
          names.map((name): Value => {
            if (name === '_region') return fragment.region;
            const at = own.indexOf(name);
            if (at < 0) return null;
            return (sqlType(typeOf(name) as DeltaType) as NonNullable<ReturnType<typeof sqlType>>).value(
              row[at] ?? null,
            );
          }),
      );
      tally.rows += rows.length;
      tally.metrics = selectionMetrics(done.selection, rows.length);
      return rows;
    },
    async *rows(tally: RegionTally): AsyncGenerator<RecordBatch> {
      const fields = fragmentFields(fragment, snapshot);
      const names = fields.map((f) => f.name);
      const wanted = [...new Set([...names, ...whereColumns])];
      const unsupported = unsupportedColumn(snapshot, wanted);
      if (unsupported) {
        fallBack(tally, unsupported);
        yield* js.rows(tally);
        return;
      }
      const selection = snapshot.scan(scanOptions(fragment)).selectFiles();
      const metrics = selectionMetrics(selection, 0);
      tally.metrics = metrics;
      if (selection.files.length === 0) return;
      const types = names.map((n) => sqlType(typeOf(n) as DeltaType) as NonNullable<ReturnType<typeof sqlType>>);
      const outs = names.map((n, i) => (types[i] as (typeof types)[number]).out(ident(n)));
      const sql = (from: string) =>
        `SELECT ${outs.length > 0 ? outs.join(', ') : '1'} FROM ${from} AS s${where ? ` WHERE ${where}` : ''}${
          fragment.limit !== undefined ? ` LIMIT ${fragment.limit}` : ''
        }`;
      const { JSDuckDBValueConverter } = await duckdb();
      const connection = await connect();
      const interrupt = () => connection.interrupt();
      signal.addEventListener('abort', interrupt, { once: true });
      let source: RegionSource | undefined;
      let yielded = false;
      try {
        source = await regionSource(connection, snapshot, selection.files, wanted, new Set());
        let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
        try {
          result = await connection.stream(sql(source.from));
        } catch (error) {
          if (!isMissingColumn(error)) throw error;
          await source.release();
          const absent = await absentColumns(connection, snapshot, selection.files, wanted);
          source = await regionSource(connection, snapshot, selection.files, wanted, absent);
          result = await connection.stream(sql(source.from));
        }
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          const columns = chunk.convertColumns(JSDuckDBValueConverter);
          const n = chunk.rowCount;
          const vectors = fields.map((f, i) =>
            buildVector(
              f.type,
              (columns[i] ?? []).map((v) => (types[i] as (typeof types)[number]).value(v ?? null)),
            ),
          );
          const schema = new Schema(fields);
          const children = vectors.map((v) => v.data[0] as Data);
          metrics.rowsReturned += n;
          yielded = true;
          yield new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
        }
      } catch (error) {
        // Before the first batch another runner can still give the rows; after it, the region has failed.
        if (signal.aborted || yielded) throw error;
        fallBack(tally, `DuckDB failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        yield* js.rows(tally);
      } finally {
        signal.removeEventListener('abort', interrupt);
        await source?.release().catch(() => undefined);
        connection.closeSync();
      }
    },
  };
}

/** Why DuckDB cannot read a table at all, or undefined. */
function unsupportedTable(fragment: QueryFragment, snapshot: Snapshot): string | undefined {
  if (!isLocal(snapshot)) {
    return `the table is not a plain local directory (${fragment.uri}): DuckDB reads object stores only through its httpfs extension, which is not installed here (no network to install it), and would bypass a wrapped storage`;
  }
  if (snapshot.columnMappingMode === 'id') return 'column mapping by id: DuckDB matches parquet columns by name';
  const physical = snapshot.schema.fields.map((f) => {
    const p = f.metadata['delta.columnMapping.physicalName'];
    return snapshot.columnMappingMode === 'name' && typeof p === 'string' ? p : f.name;
  });
  // read_parquet's own columns would meet the file's under the same name (the join on filename would then be wrong).
  const clash = physical.find((name) => name === 'filename' || name === 'file_row_number');
  if (clash) return `the table has a column '${clash}', the name of a column DuckDB adds to every file it reads`;
  // read_parquet expands *, ? and [...] in a path as a glob: a file named so could match others.
  const glob = snapshot.files().find((f) => /[*?[\]{}]/.test(resolveTablePath(snapshot.storage.uri, f.path)));
  if (glob) return `a data file's path has a glob character (${glob.path}), which read_parquet would expand`;
  return undefined;
}

/**
 * The embedded default: each region's fragment runs in DuckDB over exactly the files the Delta snapshot selected
 * (partition and statistics pruning by our reader, deletion vectors applied, partition values from the log, column
 * mapping by name, columns missing from older files as NULL). What DuckDB cannot run exactly (a remote table, a
 * type, a predicate literal, column mapping by id) runs in JS for that region, and the region's report says why.
 *
 * ```ts
 * const result = executeQuery(plan, { runner: duckdbRunner() });
 * console.log(result.regions.map((r) => `${r.region}: ${r.runner} ${r.runnerReason ?? ''}`));
 * ```
 */
export function duckdbRunner(options: DuckDBRunnerOptions = {}): RegionRunner {
  // Loaded on first use: a process that plans, explains or is refused does not load DuckDB's native library.
  let module: Promise<DuckDBModule> | undefined;
  const duckdb = () => {
    module ??= import('@duckdb/node-api');
    return module;
  };
  let instance: Promise<DuckDBInstance> | undefined = options.instance ? Promise.resolve(options.instance) : undefined;
  const connect = async () => {
    instance ??= duckdb().then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:'));
    return (await instance).connect();
  };
  return {
    name: 'duckdb',
    async open(fragment: QueryFragment, context: RunnerContext): Promise<OpenedRegion> {
      const snapshot = await (await openTable(context.openStorage(fragment.uri, fragment))).snapshot();
      const unsupported = unsupportedTable(fragment, snapshot);
      if (unsupported) return jsRegion(fragment, snapshot, unsupported);
      const whereNode = fragment.where?.node;
      const where = whereNode
        ? predicateSql(whereNode, (n) => snapshot.schema.fields.find((f) => f.name === n)?.type)
        : undefined;
      if (whereNode && where === undefined) {
        return jsRegion(
          fragment,
          snapshot,
          `the predicate ${fragment.where?.toString()} is not written in SQL exactly`,
        );
      }
      const whereColumns = whereNode ? predicateColumns(whereNode, new Set()) : new Set<string>();
      return duckRegion(fragment, snapshot, where, whereColumns, connect, context.signal, duckdb);
    },
  };
}
