import { type Data, makeData, RecordBatch, Schema, Struct, Table } from 'apache-arrow';
import { loadDeletionVector } from '../deletion-vectors/descriptor.ts';
import { DeltaError } from '../errors.ts';
import type { DeltaFile } from '../log/files.ts';
import { resolveTablePath } from '../log/table-paths.ts';
import { type DecodeOptions, decodeParquet } from '../parquet/decode.ts';
import { decodedToTable } from '../parquet/ffi-arrow.ts';
import { type RowGroupInfo, readParquetFooter } from '../parquet/footer.ts';
import { type Piece, piecesSource, transcodeRun } from '../parquet/transcode.ts';
import { decodeError } from '../parquet/wasm.ts';
import { type DecodePool, sharedDecodePool } from '../parquet/worker-pool.ts';
import { physicalName } from '../schema/types.ts';
import { type BoundColumn, type BoundNode, bindPredicate, boundColumns } from './bind.ts';
import { type Domain, evaluateOnDomains } from './domain.ts';
import { fetchPieces, neededRanges, type RunRanges, readRange, runRanges, sparseCopy } from './file-bytes.ts';
import { dataFileError, planScan, type ScanContext, selectRows, toLogicalBatch } from './file-read.ts';
import { fileColumnDomain, type SkippableFile } from './file-skipping.ts';
import { type RowRange, rowsToRead } from './page-skipping.ts';
import type { Predicate } from './predicate.ts';
import { parsePredicate } from './predicate-parser.ts';
import { type OpenedFile, ReadAhead } from './read-ahead.ts';
import { filterBatch } from './row-filter.ts';
import { rowGroupsToRead } from './row-group-skipping.ts';
import { checkDecodeSize, checkFooterRows, decodedBytesEstimate } from './verify-file.ts';

/** Options of a table scan. */
export interface TableScanOptions {
  /** Logical top-level columns to return, in this order; all when omitted. */
  readonly columns?: readonly string[];
  /** Rows to keep: a predicate (`col('region').eq('eu-west-1')`) or its text form (`region = 'eu-west-1'`). */
  readonly where?: Predicate | string;
  /** Stop after this many rows. */
  readonly limit?: number;
  /**
   * Bytes one data file may decode to (estimated from its footer before decoding); 1 GiB by default. A file above it
   * fails with `decode-limit` (a decompression bomb); raise it for a trusted table of very large files.
   */
  readonly maxDecodedBytes?: number;
  /** Decode in this pool, or on the calling thread with 'main-thread'; the shared pool by default. */
  readonly decoder?: DecodePool | 'main-thread';
}

/** What a scan read and what it skipped; filled in as the scan runs. */
export interface ScanMetrics {
  filesTotal: number;
  filesSkippedByPartition: number;
  filesSkippedByStats: number;
  filesRead: number;
  rowGroupsTotal: number;
  rowGroupsSkipped: number;
  rowsDecoded: number;
  rowsReturned: number;
  bytesFetched: number;
}

const BATCH_SIZE = 65_536;
// A scan that reads one file of at most this many rows decodes it on the calling thread: handing it to a worker
// (copy in, IPC back) cost more than the second core saved (bench/README.md, delta-scan "selective scan": 0.75x).
const CALLING_THREAD_ROWS = 200_000;
// Rows a streamed scan decodes in one call (one of the writer's 64 Ki-row row groups): what bounds its memory.
const RUN_ROWS = 65_536;
// Below this many rows a task is not worth a worker of its own (the transfer and wasm copy dominate).
const MIN_ROWS_PER_TASK = 50_000;

/** Splits items into `parts` contiguous runs of near-equal length. */
function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const runs: T[][] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end = Math.round(((p + 1) * items.length) / parts);
    if (end > start) runs.push(items.slice(start, end));
    start = end;
  }
  return runs;
}

/**
 * Consecutive row groups packed into runs of at most `rows` rows; a larger row group is a run of its own. Each run
 * is one decode call, which copies the file's bytes into wasm memory and parses its footer again.
 */
function packRuns(groups: readonly RowGroupInfo[], rows: number): RowGroupInfo[][] {
  const runs: RowGroupInfo[][] = [];
  let run: RowGroupInfo[] = [];
  let inRun = 0;
  for (const g of groups) {
    if (run.length > 0 && inRun + g.numRows > rows) {
      runs.push(run);
      run = [];
      inRun = 0;
    }
    run.push(g);
    inRun += g.numRows;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

interface PreparedScan {
  readonly predicate: BoundNode | undefined;
  readonly predicateColumns: readonly BoundColumn[];
  readonly plan: ReturnType<typeof planScan>;
  readonly output: readonly string[];
}

function columnDomainOfPartition(file: DeltaFile): (column: BoundColumn) => Domain | undefined {
  const skippable: SkippableFile = { partitionValues: file.partitionValues };
  return (column) => (column.isPartition ? fileColumnDomain(column, skippable, undefined) : undefined);
}

const TRUE_NODE: BoundNode = { kind: 'constant', value: true };
const FALSE_NODE: BoundNode = { kind: 'constant', value: false };

/**
 * The predicate left to check row by row in one file: partition columns hold one value per file, so their
 * comparisons are decided here (true, false, or null: a comparison with null) and no partition column is read.
 */
export function residualPredicate(node: BoundNode, exact: (column: BoundColumn) => Domain | undefined): BoundNode {
  switch (node.kind) {
    case 'compare':
    case 'in':
    case 'is-null': {
      if (!node.column.isPartition || !exact(node.column)) return node;
      const p = evaluateOnDomains(node, exact);
      if (p.canBeTrue && !p.canBeFalse) return TRUE_NODE;
      if (!p.canBeTrue && p.canBeFalse) return FALSE_NODE;
      if (!p.canBeTrue && !p.canBeFalse) return { kind: 'compare', op: 'eq', column: node.column, value: null };
      return node;
    }
    case 'and':
    case 'or': {
      const decisive = node.kind === 'and' ? FALSE_NODE : TRUE_NODE;
      const neutral = node.kind === 'and' ? TRUE_NODE : FALSE_NODE;
      const children: BoundNode[] = [];
      for (const child of node.children) {
        const r = residualPredicate(child, exact);
        if (r === decisive) return decisive;
        if (r !== neutral) children.push(r);
      }
      if (children.length === 0) return neutral;
      return children.length === 1 ? (children[0] as BoundNode) : { kind: node.kind, children };
    }
    case 'not': {
      const r = residualPredicate(node.child, exact);
      if (r === TRUE_NODE) return FALSE_NODE;
      if (r === FALSE_NODE) return TRUE_NODE;
      return { kind: 'not', child: r };
    }
    case 'constant':
      return node.value ? TRUE_NODE : FALSE_NODE;
  }
}

function selectColumns(batch: RecordBatch, names: readonly string[]): RecordBatch {
  if (names.length === batch.schema.fields.length && names.every((n, i) => batch.schema.fields[i]?.name === n))
    return batch;
  const indexes = names.map((name) => batch.schema.fields.findIndex((f) => f.name === name));
  const fields = indexes.map((i) => batch.schema.fields[i] as NonNullable<(typeof batch.schema.fields)[number]>);
  const schema = new Schema(fields, batch.schema.metadata);
  const children = indexes.map((i) => batch.data.children[i] as Data);
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
}

/**
 * Positions of deleted rows (file-wide) translated to positions among the decoded rows: those of `groups`, or, when
 * the decode took a span of them (runSpan), those of the span, counted from its offset.
 */
function deletedInDecoded(
  deleted: Float64Array,
  groups: readonly RowGroupInfo[],
  span?: { offset: number; limit: number },
): Float64Array {
  const from = span?.offset ?? 0;
  const to = span ? span.offset + span.limit : Number.POSITIVE_INFINITY;
  const out: number[] = [];
  let decodedStart = 0;
  let d = 0;
  for (const group of groups) {
    while (d < deleted.length && (deleted[d] as number) < group.firstRow) d++;
    while (d < deleted.length && (deleted[d] as number) < group.firstRow + group.numRows) {
      const at = decodedStart + (deleted[d] as number) - group.firstRow;
      if (at >= from && at < to) out.push(at - from);
      d++;
    }
    decodedStart += group.numRows;
  }
  return Float64Array.from(out);
}

/**
 * The rows of a run (consecutive row groups decoded in one call) to decode, counted over the run's row groups:
 * from the first to the last row the page indexes leave (`ranges`, per row group; a group without an entry keeps
 * every row). Undefined when that is the whole run. One call per run still: rows skipped between two kept ranges are
 * decoded and filtered, as each call copies the file into the decoder's memory and parses its footer again.
 */
export function runSpan(
  run: readonly RowGroupInfo[],
  ranges: ReadonlyMap<number, readonly RowRange[]>,
): { offset: number; limit: number } | undefined {
  let at = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const group of run) {
    const kept = ranges.get(group.index);
    if (!kept) {
      first = Math.min(first, at);
      last = at + group.numRows;
    } else if (kept.length > 0) {
      first = Math.min(first, at + (kept[0] as RowRange)[0]);
      last = at + (kept.at(-1) as RowRange)[1];
    }
    at += group.numRows;
  }
  if (first >= last) return { offset: 0, limit: 0 };
  return first === 0 && last === at ? undefined : { offset: first, limit: last - first };
}

/**
 * A scan of a snapshot's files: files skipped by partition values and statistics, row groups by their
 * statistics, the rest decoded in worker threads one row group at a time, a few ahead, rows filtered exactly.
 * Iterate it for Arrow record batches (bounded memory), or call `toArrow()`.
 */
export class TableScan implements AsyncIterable<RecordBatch> {
  /** Counts of what was read and skipped, complete once iteration ends. */
  readonly metrics: ScanMetrics = {
    filesTotal: 0,
    filesSkippedByPartition: 0,
    filesSkippedByStats: 0,
    filesRead: 0,
    rowGroupsTotal: 0,
    rowGroupsSkipped: 0,
    rowsDecoded: 0,
    rowsReturned: 0,
    bytesFetched: 0,
  };
  /** The Arrow schema of the batches. */
  readonly schema: Schema;
  private readonly prepared: PreparedScan;
  private readonly ctx: ScanContext;
  private readonly files: readonly DeltaFile[];
  private readonly options: TableScanOptions;
  private filesInScan = 0;
  // Set while toArrow() runs: every batch is kept, so files are decoded whole (fewer calls) and read further ahead.
  private collecting = false;

  /** @internal Made by `Snapshot.scan()`. */
  constructor(ctx: ScanContext, files: readonly DeltaFile[], options: TableScanOptions = {}) {
    this.ctx = ctx;
    this.files = files;
    this.options = options;
    const where = typeof options.where === 'string' ? parsePredicate(options.where) : options.where;
    const predicate = where
      ? bindPredicate(where, ctx.schema, {
          partitionColumns: ctx.partitionColumns,
          columnMapping: ctx.columnMappingMode !== 'none',
        })
      : undefined;
    const predicateColumns = predicate ? boundColumns(predicate) : [];
    const requested = options.columns ?? ctx.schema.fields.map((f) => f.name);
    // Partition columns are decided per file (residualPredicate), so only data columns are read for the filter.
    const extra = predicateColumns
      .filter((c) => !c.isPartition)
      .map((c) => c.path[0] as string)
      .filter((name) => !requested.includes(name));
    const plan = planScan(ctx, {
      columns: [...requested, ...new Set(extra)],
      ...(options.maxDecodedBytes === undefined ? {} : { maxDecodedBytes: options.maxDecodedBytes }),
    });
    this.prepared = { predicate, predicateColumns, plan, output: requested };
    this.schema = planScan(ctx, { columns: requested }).schema;
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
      throw new DeltaError('invalid-predicate', `limit must be a whole number of rows, not ${options.limit}`, {
        path: 'limit',
        hint: 'give a limit of 0 or more rows',
      });
    }
  }

  /**
   * The files this scan reads, and how many partition values and statistics skip, from the log alone (no data
   * file is read): what an EXPLAIN shows before running the scan.
   */
  selectFiles(): { files: DeltaFile[]; skippedByPartition: number; skippedByStats: number } {
    const { predicate } = this.prepared;
    if (!predicate) return { files: [...this.files], skippedByPartition: 0, skippedByStats: 0 };
    const files: DeltaFile[] = [];
    let skippedByPartition = 0;
    let skippedByStats = 0;
    for (const file of this.files) {
      const byPartition = evaluateOnDomains(predicate, columnDomainOfPartition(file));
      if (!byPartition.canBeTrue) {
        skippedByPartition++;
        continue;
      }
      const skippable: SkippableFile = { partitionValues: file.partitionValues, statsParsed: file.stats };
      const byStats = evaluateOnDomains(predicate, (column) => fileColumnDomain(column, skippable, file.stats));
      if (!byStats.canBeTrue) {
        skippedByStats++;
        continue;
      }
      files.push(file);
    }
    return { files, skippedByPartition, skippedByStats };
  }

  /** The files left after partition and statistics skipping, counted into the metrics. */
  private filesToRead(): DeltaFile[] {
    const { files, skippedByPartition, skippedByStats } = this.selectFiles();
    this.metrics.filesTotal = this.files.length;
    this.metrics.filesSkippedByPartition = skippedByPartition;
    this.metrics.filesSkippedByStats = skippedByStats;
    return files;
  }

  private async decode(
    decoder: DecodePool | 'main-thread',
    bytes: Uint8Array,
    options: DecodeOptions,
    where: string,
    layout?: RunRanges['layout'],
  ): Promise<Table> {
    if (decoder !== 'main-thread') return decoder.decode({ bytes, ...options, where, ...(layout ? { layout } : {}) });
    try {
      return decodedToTable(await decodeParquet(bytes, options));
    } catch (cause) {
      throw decodeError(cause, where);
    }
  }

  /**
   * Opens one file for reading: footer, row groups to read, the needed bytes fetched. What it returns decodes the
   * file in runs of row groups, each into logical, filtered, projected batches; undefined when no row group is left.
   */
  private async openFile(file: DeltaFile): Promise<OpenedFile | undefined> {
    const { ctx } = this;
    const { predicate, plan, output } = this.prepared;
    const rowPredicate = predicate ? residualPredicate(predicate, columnDomainOfPartition(file)) : undefined;
    const rowColumns = rowPredicate ? boundColumns(rowPredicate) : [];
    const key = resolveTablePath(ctx.storage.uri, file.path);
    const mode = ctx.columnMappingMode;
    const dvPromise = file.deletionVector ? loadDeletionVector(ctx.storage, file.deletionVector) : undefined;
    dvPromise?.catch(() => undefined);
    try {
      // Column mapping by id matches file columns by field id, known only after decoding: decode them all then.
      const columns =
        mode === 'id'
          ? undefined
          : new Set(
              plan.fields.filter((f) => !plan.partition.has(f.name)).map((f) => physicalName(f, mode !== 'none')),
            );
      const footer = await readParquetFooter(ctx.storage, key, file.size);
      checkFooterRows(file, footer, key);
      const nonEmpty = footer.rowGroups.filter((g) => g.numRows > 0);
      let groups = rowGroupsToRead(predicate, footer, columnDomainOfPartition(file));
      this.metrics.rowGroupsTotal += nonEmpty.length;
      this.metrics.rowGroupsSkipped += nonEmpty.length - groups.length;
      // With a limit and every decoded row kept (no row filter, no deletion vector), no file needs more rows than
      // the limit: only the first row groups holding that many are fetched and decoded.
      const keepsAll = (!rowPredicate || rowPredicate === TRUE_NODE) && !dvPromise;
      const limit = this.options.limit;
      if (keepsAll && limit !== undefined) {
        let covered = 0;
        groups = groups.filter((g) => {
          const needed = covered < limit;
          covered += g.numRows;
          return needed;
        });
      }
      // Pages no predicate column's page index lets match are not decoded: a row group with none left is skipped,
      // the others decode from their first to their last candidate row (runSpan).
      const pageRanges = new Map<number, readonly RowRange[]>();
      if (rowPredicate && rowColumns.length > 0) {
        const exact = columnDomainOfPartition(file);
        const before = groups.length;
        groups = groups.filter((group) => {
          const ranges = rowsToRead(rowPredicate, footer, group, footer.prefetched, exact);
          if (ranges) pageRanges.set(group.index, ranges);
          return ranges === undefined || ranges.length > 0;
        });
        this.metrics.rowGroupsSkipped += before - groups.length;
      }
      if (groups.length === 0) return undefined;
      this.metrics.filesRead++;
      const topLevel = new Set(footer.leaves.map((leaf) => leaf.path[0] as string));
      const decodeColumns = columns ? [...columns].filter((name) => topLevel.has(name)) : undefined;
      // A file read only for its row count (only partition columns asked for) still needs one column.
      if (decodeColumns && decodeColumns.length === 0 && footer.leaves[0])
        decodeColumns.push(footer.leaves[0].path[0] as string);
      const estimate = decodedBytesEstimate(footer, groups, decodeColumns ? new Set(decodeColumns) : undefined);
      checkDecodeSize(file, estimate, plan.maxDecodedBytes, key);
      // Streamed, a file is decoded in runs of row groups of at most RUN_ROWS rows (or one larger row group): what
      // the scan holds is then a few runs, not a few files, and parquet-wasm's memory (which never shrinks) grows to
      // one run's decode instead of a whole file's (a 312,500-row file: 28 MB against 98 MB). Each decode call costs
      // a copy of the file into wasm memory and a parse of its footer (bench/README.md: 25-45 % more CPU for a full
      // scan), so toArrow(), which keeps every row anyway, decodes a file whole, split across the workers only when
      // there are fewer files than workers. A limit keeps one run: the decoder stops at the limit.
      const columnsOption = decodeColumns && decodeColumns.length < topLevel.size ? { columns: decodeColumns } : {};
      const limitOption = keepsAll && limit !== undefined ? { limit } : {};
      const rows = groups.reduce((sum, g) => sum + g.numRows, 0);
      const decoder =
        this.filesInScan === 1 && rows <= CALLING_THREAD_ROWS
          ? 'main-thread'
          : (this.options.decoder ?? sharedDecodePool());
      const parts =
        decoder === 'main-thread' || this.filesInScan >= decoder.size
          ? 1
          : Math.min(decoder.size, groups.length, Math.max(1, Math.floor(rows / MIN_ROWS_PER_TASK)));
      const runs =
        'limit' in limitOption ? [groups] : this.collecting ? splitEvenly(groups, parts) : packRuns(groups, RUN_ROWS);
      const decodeSet = decodeColumns ? new Set(decodeColumns) : undefined;
      // Several runs of one file go to the workers each in a buffer of its own (a transferred buffer is gone).
      // Streamed, each run fetches its own chunks when it starts (runs ahead are bounded, so the bytes held are a
      // few runs', not the next files' whole); toArrow() fetches the file once and copies each run's part of it.
      const perRun = runs.length > 1 && decoder !== 'main-thread';
      const tail = footer.prefetched;
      const fetchFile = async (): Promise<{ pieces: Piece[]; whole?: Uint8Array }> => {
        if (groups.length === nonEmpty.length && (!decodeColumns || decodeColumns.length === topLevel.size)) {
          const bytes = await ctx.storage.get(key);
          this.metrics.bytesFetched += bytes.length;
          return { pieces: [{ start: 0, bytes }], whole: bytes };
        }
        const fetched = await fetchPieces(ctx.storage, key, neededRanges(footer, groups, decodeSet, file.size), tail);
        this.metrics.bytesFetched += fetched.fetched;
        return { pieces: fetched.pieces };
      };
      // Streamed runs read their ranges from storage as they start; the tail, read with the footer, counts once.
      const streamsRuns = perRun && !this.collecting;
      if (streamsRuns) this.metrics.bytesFetched += tail.bytes.length;
      const fetchedFile = streamsRuns ? undefined : await fetchFile();
      const fileSource = fetchedFile && piecesSource(file.size, fetchedFile.pieces);
      const source = fileSource
        ? (start: number, end: number) => {
            const bytes = fileSource.read(start, end);
            if (!bytes) throw new RangeError(`bytes ${start}-${end} of ${key} were not fetched`);
            return bytes;
          }
        : async (start: number, end: number) => {
            const part = await readRange(ctx.storage, key, tail, start, end);
            this.metrics.bytesFetched += part.fetched;
            return part.bytes;
          };
      // A worker is sent a run's ranges packed, or the whole file when it was read whole, and decodes it as written.
      // This thread transcodes the run from the fetched pieces (transcode.ts), or decodes them laid out in a sparse
      // copy of the file, made once. Workers do not transcode: the pages zlib decompresses and the rewritten file
      // are garbage a worker's rare collections keep (docs/decisions/041).
      const packs = decoder !== 'main-thread' && (perRun || fetchedFile?.whole === undefined);
      let sparse: Uint8Array | undefined;
      const wholeFile = (): Uint8Array => {
        if (fetchedFile?.whole) return fetchedFile.whole;
        sparse ??= sparseCopy(file.size, (fetchedFile as { pieces: Piece[] }).pieces);
        return sparse;
      };
      return {
        runs: runs.length,
        decodeRun: async (r: number) => {
          const run = runs[r] as RowGroupInfo[];
          const span = pageRanges.size > 0 ? runSpan(run, pageRanges) : undefined;
          try {
            const options: DecodeOptions = {
              ...columnsOption,
              ...limitOption,
              ...(span ? { offset: span.offset, limit: span.limit } : {}),
              ...(run.length < nonEmpty.length ? { rowGroups: run.map((g) => g.index) } : {}),
              batchSize: BATCH_SIZE,
            };
            let table: Table;
            if (packs) {
              const ranges = await runRanges(source, footer, run, decodeSet, file.size);
              table = await this.decode(decoder, ranges.bytes, options, key, ranges.layout);
            } else {
              // zlib on the thread pool pays for a scan of one file only (transcode.ts).
              const compact =
                decoder === 'main-thread' && fileSource
                  ? await transcodeRun(fileSource, options, this.filesInScan === 1)
                  : undefined;
              table = compact
                ? await this.decode(decoder, compact.bytes, compact.options, key)
                : await this.decode(decoder, wholeFile(), options, key);
            }
            const allDeleted = dvPromise ? await dvPromise : undefined;
            this.metrics.rowsDecoded += table.numRows;
            // Deletion vectors count rows file-wide: a span's decoded rows start at its offset within the run.
            const deleted = allDeleted ? deletedInDecoded(allDeleted, run, span) : undefined;
            const cursor = { i: 0 };
            let decodedRow = 0;
            const out: RecordBatch[] = [];
            for (const batch of table.batches) {
              const logical = toLogicalBatch(ctx, plan, file, batch);
              // Deleted rows were translated to positions among the run's row groups, so batches count from 0.
              const live = deleted ? [...selectRows(logical, decodedRow, { deleted }, cursor)] : [logical];
              decodedRow += batch.numRows;
              for (const part of live) {
                const kept =
                  rowPredicate && rowPredicate !== TRUE_NODE ? filterBatch(rowPredicate, part, rowColumns) : [part];
                for (const k of kept) if (k.numRows > 0) out.push(selectColumns(k, output));
              }
            }
            return out;
          } catch (cause) {
            throw dataFileError(cause, file, key);
          }
        },
      };
    } catch (cause) {
      throw dataFileError(cause, file, key);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    // Each iteration is a fresh scan with fresh counts.
    for (const key of Object.keys(this.metrics) as (keyof ScanMetrics)[]) this.metrics[key] = 0;
    const files = this.filesToRead();
    this.filesInScan = files.length;
    const limit = this.options.limit ?? Number.POSITIVE_INFINITY;
    if (limit === 0) return;
    const decoder = this.options.decoder ?? sharedDecodePool();
    // Decodes in flight: enough to keep every worker busy, few enough to bound memory by row groups. A small limit
    // is usually met by the first file: nothing is read ahead then.
    const smallLimit = limit <= BATCH_SIZE;
    const workers = decoder === 'main-thread' || smallLimit ? 1 : decoder.size;
    // Files open at once (footer read; bytes fetched, except a streamed file's runs, which fetch their own): the one
    // being returned and the next, whose reads overlap the decode. Runs decoding or decoded and not yet taken, over
    // all open files: two per worker, so that a worker finishing first finds the next run queued (with one per
    // worker they waited while the calling thread fetched and filtered: 1.3-1.45 s against 1.1-1.2 s for the bench's
    // streamed scan, docs/decisions/040), a few runs held whatever the table.
    const filesAhead = workers === 1 ? 1 : this.collecting ? 2 * workers : 2;
    const runsAhead = workers === 1 ? 1 : 2 * workers;
    const reads = new ReadAhead<DeltaFile>(files, (file) => this.openFile(file), filesAhead, runsAhead);
    let returned = 0;
    for (let batches = await reads.next(); batches !== undefined; batches = await reads.next()) {
      for (const batch of batches) {
        const room = limit - returned;
        const piece = batch.numRows > room ? batch.slice(0, room) : batch;
        returned += piece.numRows;
        this.metrics.rowsReturned = returned;
        yield piece;
        if (returned >= limit) return;
      }
    }
  }

  /** Reads every selected row into one Arrow table (the schema is kept when no row matches). */
  async toArrow(): Promise<Table> {
    const batches: RecordBatch[] = [];
    this.collecting = true;
    try {
      for await (const batch of this) batches.push(batch);
    } finally {
      this.collecting = false;
    }
    return batches.length === 0 ? new Table(this.schema) : new Table(this.schema, batches);
  }
}
