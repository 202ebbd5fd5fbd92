import { type RecordBatch, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { gatherBatch } from '../arrow/gather.ts';
import { loadDeletionVector } from '../deletion-vectors/descriptor.ts';
import { DeltaError } from '../errors.ts';
import type { Action, AddAction } from '../log/actions.ts';
import type { DeltaFile } from '../log/files.ts';
import { readerFeaturesOf } from '../protocol/features.ts';
import { assertWritable, isAppendOnly, writerFeaturesOf } from '../protocol/writer-features.ts';
import { type BoundNode, bindPredicate, boundColumns } from '../scan/bind.ts';
import { fileMightMatch } from '../scan/file-skipping.ts';
import type { Predicate } from '../scan/predicate.ts';
import { parsePredicate } from '../scan/predicate-parser.ts';
import { matchingRows } from '../scan/row-filter.ts';
import { TableScan } from '../scan/table-scan.ts';
import type { DeltaSchema } from '../schema/types.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { openTable } from '../snapshot/table.ts';
import type { Storage } from '../storage/storage.ts';
import type { AfterCommit } from './after-commit.ts';
import type { RewriteConflictCheck } from './commit.ts';
import { checkNullability } from './conform-data.ts';
import { enforceRowRules, rowRules } from './constraints.ts';
import { writeDataFiles } from './data-files.ts';
import { writeDeletionVector } from './deletion-vector-file.ts';
import type { WriteCompression } from './parquet.ts';
import { commitRewrite } from './rewrite-commit.ts';

/** Options every row-changing operation (delete, update) takes. */
export interface RewriteOptions {
  /** Find and count what would change, read the files, write and commit nothing. */
  readonly dryRun?: boolean;
  /** Parquet codec of the rewritten files; zstd by default. */
  readonly compression?: WriteCompression;
  /** Rows per parquet row group of the rewritten files (64 Ki by default). */
  readonly rowGroupRows?: number;
  /** Commit attempts before giving up when other writers keep taking the next version (100). */
  readonly maxCommitAttempts?: number;
  /** As {@link WriteOptions.cleanUpOnCheckpoint}: after a checkpoint, remove killed writers' leftovers. Default true. */
  readonly cleanUpOnCheckpoint?: boolean;
}

/** What a delete or an update did (or, with `dryRun`, would do). */
export interface RewriteResult {
  /** The version committed; the version read when nothing matched or on a dry run (nothing committed). */
  readonly version: number;
  /** Whether a version was committed. */
  readonly committed: boolean;
  /** Rows the predicate matched (deleted or updated). */
  readonly rowsMatched: number;
  /** Rows added that matched nothing (a merge's inserts); 0 for a delete or an update. */
  readonly rowsInserted: number;
  /** Rows of the rewritten files that did not match, written again unchanged. */
  readonly rowsCopied: number;
  /** Live files before the operation. */
  readonly filesTotal: number;
  /** Files never read: their partition values or statistics rule the predicate out. */
  readonly filesSkipped: number;
  /** Files read to find matching rows (some had none and stay as they are). */
  readonly filesRead: number;
  /** Files removed (those with at least one matching row). */
  readonly filesRemoved: number;
  /** Data files written in their place. */
  readonly filesAdded: number;
  /** Deletion vectors written (files kept with rows marked deleted, when the table enables them). */
  readonly deletionVectors: number;
  /** Change data files written (`_change_data/`, when the table enables the change data feed). */
  readonly changeFiles: number;
  /** Commit attempts (more than 1 when other writers committed first). */
  readonly attempts: number;
  readonly dryRun: boolean;
  readonly checkpoint?: number;
  readonly cleanUp?: AfterCommit['cleanUp'];
}

/** How one operation changes the rows its predicate matches. */
export interface RowRewrite {
  /** commitInfo.operation: 'DELETE', 'UPDATE'. */
  readonly operation: string;
  readonly operationParameters: Readonly<Record<string, string>>;
  /**
   * What the matching rows of one batch become (nothing for a delete), made from the schema of the snapshot read,
   * before any file is read, so bad input is refused early.
   */
  readonly replacement?: (schema: DeltaSchema, uri: string) => (matched: RecordBatch) => readonly RecordBatch[];
  /** `_change_type` of the matching rows as they were, and of what they became (PROTOCOL.md "Change Data Files"). */
  readonly changeTypes: { readonly before: string; readonly after?: string };
  /** commitInfo.operationMetrics name of the matched row count (numDeletedRows, numUpdatedRows, ...). */
  readonly matchedMetric: string;
  /**
   * Which rows of a batch match, when not the predicate's rows (a merge matches by key); the predicate then only
   * skips files and checks concurrent commits, so it must hold for every row this returns. `isLive` is false for
   * rows a deletion vector already deletes (read when the rewrite extends the vector), which must not match.
   */
  readonly match?: (batch: RecordBatch, isLive: (row: number) => boolean) => Int32Array;
  /** New rows to add in the same commit (a merge's not-matched source rows), asked for after every file was read. */
  readonly inserts?: () => Table | undefined;
}

// PROTOCOL.md "Change Data Files": the column a cdc file adds to the table's data columns.
const CHANGE_TYPE_COLUMN = '_change_type';

function changeDataFeedOn(snapshot: Snapshot): boolean {
  return (
    writerFeaturesOf(snapshot.protocol).includes('changeDataFeed') &&
    snapshot.configuration['delta.enableChangeDataFeed'] === 'true'
  );
}

/**
 * PROTOCOL.md "Deletion Vectors": a writer may mark rows deleted instead of rewriting their file when the table has
 * the feature (reader and writer) and delta.enableDeletionVectors is true; with the property false it must not add
 * new ones.
 */
function deletionVectorsOn(snapshot: Snapshot): boolean {
  return (
    readerFeaturesOf(snapshot.protocol).includes('deletionVectors') &&
    writerFeaturesOf(snapshot.protocol).includes('deletionVectors') &&
    snapshot.configuration['delta.enableDeletionVectors'] === 'true'
  );
}

/** The stats of a file that gains a deletion vector: of the physical file still, so no longer tight (PROTOCOL.md "Per-file Statistics"). */
function wideStats(stats: string | null | undefined): string | undefined {
  if (!stats) return undefined;
  try {
    return JSON.stringify({ ...(JSON.parse(stats) as Record<string, unknown>), tightBounds: false });
  } catch {
    return undefined;
  }
}

/** Rows of several batches of one schema, with a `_change_type` column set to `type`. */
function withChangeType(schema: DeltaSchema, batches: readonly RecordBatch[], type: string): Table {
  const names = schema.fields.map((f) => f.name);
  const tables = batches
    .filter((b) => b.numRows > 0)
    .map((b) => {
      const t = new Table(b).select(names);
      const column = Array.from({ length: t.numRows }, () => type);
      return t.assign(new Table({ [CHANGE_TYPE_COLUMN]: vectorFromArray(column, new Utf8()) }));
    });
  return tables.length === 0 ? new Table() : tables.reduce((a, b) => a.concat(b));
}

/** The predicate bound twice: against the log (partition values, physical statistics) and against scanned rows. */
function bindBoth(snapshot: Snapshot, predicate: Predicate): { skipping: BoundNode; rows: BoundNode } {
  return {
    skipping: bindPredicate(predicate, snapshot.schema, {
      partitionColumns: snapshot.partitionColumns,
      columnMapping: snapshot.columnMappingMode !== 'none',
    }),
    // A scan returns logical columns with partition values materialised, so rows are matched by logical name.
    rows: bindPredicate(predicate, snapshot.schema, { columnMapping: false }),
  };
}

/** Paths compared as the objects they name: one writer may percent-encode a path another wrote plainly. */
function samePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * PROTOCOL.md leaves isolation to the writer; this follows Delta's default, WriteSerializable: a blind append
 * that committed meanwhile is ordered after this commit (its rows were not there to match), every other change
 * that could touch the same rows conflicts, so no row is deleted twice, resurrected, or updated from a stale copy.
 */
function conflictCheck(snapshot: Snapshot, removed: readonly DeltaFile[], skipping: BoundNode): RewriteConflictCheck {
  const paths = new Set(removed.map((f) => samePath(f.path)));
  return (actions: readonly Action[]) => {
    for (const a of actions) {
      if (a.type === 'remove' && paths.has(samePath(a.remove.path))) {
        return `it removed ${a.remove.path}, a file this commit rewrites`;
      }
    }
    const info = actions.find((a) => a.type === 'commitInfo');
    const blind = info?.type === 'commitInfo' && info.commitInfo.isBlindAppend === true;
    if (blind) return undefined;
    for (const a of actions) {
      if (a.type === 'add' && a.add.dataChange && fileMightMatch(skipping, a.add)) {
        return `it added ${a.add.path}, whose rows the predicate may match (read at version ${snapshot.version})`;
      }
    }
    return undefined;
  };
}

/**
 * Copy-on-write (PROTOCOL.md "Add File and Remove File"): every live file whose partition values and statistics
 * do not rule the predicate out is read; a file with matching rows is removed and its other rows, with what the
 * matching rows become, are written as new files in one commit. Files without a matching row stay as they are.
 */
export async function rewriteMatchingRows(
  storage: Storage,
  where: Predicate | string,
  rewrite: RowRewrite,
  options: RewriteOptions,
): Promise<RewriteResult> {
  const snapshot = await (await openTable(storage)).snapshot();
  const uri = storage.uri;
  assertWritable(snapshot.protocol, uri);
  const predicate = typeof where === 'string' ? parsePredicate(where) : where;
  if (isAppendOnly(snapshot.protocol, snapshot.configuration)) {
    // PROTOCOL.md "Append-only Tables": no data may be removed or changed while delta.appendOnly is true.
    throw new DeltaError(
      'append-only',
      `${uri} is append-only (delta.appendOnly=true): ${rewrite.operation} ${predicate.toString()} would change its rows`,
      { path: uri, hint: 'append corrections as new rows, or unset delta.appendOnly with the engine that set it' },
    );
  }
  const bound = bindBoth(snapshot, predicate);
  const replace = rewrite.replacement?.(snapshot.schema, uri);
  const rowColumns = boundColumns(bound.rows);
  const schema = snapshot.schema;
  const names = schema.fields.map((f) => f.name);
  const rules = rowRules(snapshot.protocol, snapshot.configuration, schema);
  const cdf = changeDataFeedOn(snapshot);
  const useDeletionVectors = deletionVectorsOn(snapshot);
  let deletionVectors = 0;
  const ctx = snapshot.scanContext();
  const dryRun = options.dryRun === true;
  const fileOptions = {
    schema,
    partitionBy: snapshot.partitionColumns,
    columnMapping: snapshot.columnMappingMode !== 'none',
    compression: options.compression ?? ('zstd' as const),
    maxRowsPerFile: Number.MAX_SAFE_INTEGER,
    rowGroupRows: options.rowGroupRows ?? 1 << 16,
  };
  const changeSchema: DeltaSchema = {
    ...schema,
    fields: [
      ...schema.fields,
      { name: CHANGE_TYPE_COLUMN, type: { kind: 'primitive', name: 'string' }, nullable: true, metadata: {} },
    ],
  };
  /** Writes change rows as cdc files: under column mapping with physical names, as data files; _change_type has none. */
  const writeChangeFiles = async (parts: { batches: readonly RecordBatch[]; type: string }[]) => {
    const tables = parts.map((p) => withChangeType(schema, p.batches, p.type)).filter((t) => t.numRows > 0);
    if (tables.length === 0) return [];
    const all = tables.reduce((x, y) => x.concat(y));
    return writeDataFiles(storage, [all], { ...fileOptions, schema: changeSchema, prefix: '_change_data' });
  };
  const files = snapshot.files();
  const removes: DeltaFile[] = [];
  const adds: AddAction[] = [];
  const changes: AddAction[] = [];
  let filesSkipped = 0;
  let filesRead = 0;
  let rowsMatched = 0;
  let rowsCopied = 0;
  // One file at a time, written before the next is read: memory holds one file's rows, whatever the table's size.
  for (const file of files) {
    if (!fileMightMatch(bound.skipping, { partitionValues: file.partitionValues, statsParsed: file.stats })) {
      filesSkipped++;
      continue;
    }
    filesRead++;
    // Copy-on-write reads the file with its deletion vector applied, so rows it deleted are not copied; to extend a
    // deletion vector the rows are read as stored, positions being row indexes of the physical file, and the rows
    // the old vector deletes are left out of the match.
    const all = await new TableScan(ctx, [useDeletionVectors ? { ...file, deletionVector: null } : file], {
      decoder: 'main-thread',
    }).toArrow();
    const deletedBefore =
      useDeletionVectors && file.deletionVector ? await loadDeletionVector(storage, file.deletionVector) : undefined;
    const dead = new Set<number>(deletedBefore ?? []);
    const positions: number[] = [];
    const before: RecordBatch[] = [];
    const after: RecordBatch[] = [];
    const rest: RecordBatch[] = [];
    let base = 0;
    for (const batch of all.batches) {
      const offset = base;
      base += batch.numRows;
      let hit = rewrite.match
        ? rewrite.match(batch, (i) => !dead.has(offset + i))
        : matchingRows(bound.rows, batch, rowColumns);
      if (dead.size > 0) hit = hit.filter((i) => !dead.has(offset + i));
      if (hit.length === 0) {
        rest.push(batch);
        continue;
      }
      for (const i of hit) positions.push(offset + i);
      const isHit = new Uint8Array(batch.numRows);
      for (const i of hit) isHit[i] = 1;
      const miss = Int32Array.from({ length: batch.numRows - hit.length });
      let m = 0;
      for (let i = 0; i < batch.numRows; i++) if (isHit[i] === 0) miss[m++] = i;
      const matched = gatherBatch(batch, hit);
      before.push(matched);
      if (replace) after.push(...replace(matched));
      if (miss.length > 0) rest.push(gatherBatch(batch, miss));
    }
    const matchedHere = before.reduce((n, b) => n + b.numRows, 0);
    if (matchedHere === 0) continue;
    removes.push(file);
    rowsMatched += matchedHere;
    const copied = rest.reduce((n, b) => n + b.numRows, 0);
    rowsCopied += copied;
    const replaced = after.length > 0 ? new Table(after).select(names) : undefined;
    if (replaced) {
      // The rows an update writes obey the table's rules like any written row (PROTOCOL.md "CHECK Constraints").
      checkNullability(storage, replaced, schema);
      enforceRowRules(rules, replaced, schema, uri);
    }
    if (dryRun) continue;
    const written = replaced ? [replaced] : [];
    const live = copied - dead.size;
    if (useDeletionVectors) {
      rowsCopied -= copied;
    }
    if (useDeletionVectors && live > 0) {
      // The file stays with the matching rows marked deleted; only what they became is written.
      const rows = [...new Set([...dead, ...positions])].sort((a, b) => a - b);
      const deletionVector = await writeDeletionVector(storage, rows, file.path);
      deletionVectors++;
      const { stats: _stats, deletionVector: _old, ...rest } = file.add;
      const stats = wideStats(file.add.stats);
      adds.push({ ...rest, ...(stats ? { stats } : {}), dataChange: true, deletionVector });
    } else if (!useDeletionVectors && copied > 0) {
      written.unshift(new Table(rest.filter((b) => b.numRows > 0)).select(names));
    }
    if (written.length > 0) adds.push(...(await writeDataFiles(storage, written, fileOptions)));
    if (cdf) {
      // PROTOCOL.md "Change Data Files": when a commit has cdc actions, readers take its changes from them alone,
      // so every changed row goes in, also those of files removed whole.
      const parts = [{ batches: before, type: rewrite.changeTypes.before }];
      if (rewrite.changeTypes.after) parts.push({ batches: after, type: rewrite.changeTypes.after });
      changes.push(...(await writeChangeFiles(parts)));
    }
  }
  const inserted = rewrite.inserts?.();
  const rowsInserted = inserted?.numRows ?? 0;
  if (inserted && rowsInserted > 0) {
    checkNullability(storage, inserted, schema);
    enforceRowRules(rules, inserted, schema, uri);
    if (!dryRun) {
      adds.push(...(await writeDataFiles(storage, [inserted.select(names)], fileOptions)));
      if (cdf) changes.push(...(await writeChangeFiles([{ batches: inserted.select(names).batches, type: 'insert' }])));
    }
  }
  const counts = {
    rowsMatched,
    rowsInserted,
    rowsCopied,
    filesTotal: files.length,
    filesSkipped,
    filesRead,
    filesRemoved: removes.length,
    changeFiles: changes.length,
    deletionVectors,
    dryRun,
  };
  if (dryRun || (removes.length === 0 && adds.length === 0)) {
    return { version: snapshot.version, committed: false, filesAdded: 0, attempts: 0, ...counts };
  }
  const committed = await commitRewrite(storage, snapshot, {
    operation: rewrite.operation,
    operationParameters: rewrite.operationParameters,
    operationMetrics: {
      numRemovedFiles: String(removes.length),
      numAddedFiles: String(adds.length),
      numAddedChangeFiles: String(changes.length),
      numCopiedRows: String(rowsCopied),
      [rewrite.matchedMetric]: String(rowsMatched),
      ...(rewrite.inserts ? { numTargetRowsInserted: String(rowsInserted) } : {}),
    },
    removes,
    adds,
    changes,
    dataChange: true,
    check: conflictCheck(snapshot, removes, bound.skipping),
    maxCommitAttempts: options.maxCommitAttempts,
    cleanUpOnCheckpoint: options.cleanUpOnCheckpoint,
  });
  return {
    version: committed.version,
    committed: true,
    filesAdded: adds.length,
    attempts: committed.attempts,
    ...counts,
    ...(committed.checkpoint !== undefined ? { checkpoint: committed.checkpoint } : {}),
    ...(committed.cleanUp !== undefined ? { cleanUp: committed.cleanUp } : {}),
  };
}
