import { Table } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import type { Action, AddAction } from '../log/actions.ts';
import type { DeltaFile } from '../log/files.ts';
import { assertWritable } from '../protocol/writer-features.ts';
import { TableScan } from '../scan/table-scan.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { openTable } from '../snapshot/table.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import type { AfterCommit } from './after-commit.ts';
import type { RewriteConflictCheck } from './commit.ts';
import { writeDataFiles } from './data-files.ts';
import type { WriteCompression } from './parquet.ts';
import { commitRewrite } from './rewrite-commit.ts';
import { zOrderRows } from './z-order.ts';

/** Options of {@link optimize}. */
export interface OptimizeOptions extends OpenStorageOptions {
  /** Bytes a compacted file aims at; files this size or larger are left alone. 100 MiB by default (as delta-rs). */
  readonly targetSize?: number;
  /**
   * Z-order by these columns (OPTIMIZE ZORDER BY): every file of each partition is rewritten with its rows sorted by
   * a Z-value interleaving the columns' normalized bits, in files of about `targetSize`, so file statistics skip on
   * any of the columns. dataChange false, as bin-packing. Each partition is read into memory whole.
   */
  readonly zOrderBy?: readonly string[];
  /** Only plan: list the bins, read and write nothing. */
  readonly dryRun?: boolean;
  readonly compression?: WriteCompression;
  readonly rowGroupRows?: number;
  readonly maxCommitAttempts?: number;
  readonly cleanUpOnCheckpoint?: boolean;
  /** Called after each bin is written: `{ binsDone, bins }`. */
  readonly onProgress?: (progress: { readonly binsDone: number; readonly bins: number }) => void;
}

/** What {@link optimize} did (or would do). */
export interface OptimizeResult {
  /** The version committed, or the version read when nothing was compacted or on a dry run. */
  readonly version: number;
  readonly committed: boolean;
  readonly dryRun: boolean;
  /** Live files before. */
  readonly filesTotal: number;
  /** Small files compacted (removed). */
  readonly filesRemoved: number;
  /** Files written in their place. */
  readonly filesAdded: number;
  readonly bytesRemoved: number;
  readonly bytesAdded: number;
  /** Rows rewritten (live rows of the compacted files). */
  readonly rows: number;
  readonly attempts: number;
  readonly checkpoint?: number;
  readonly cleanUp?: AfterCommit['cleanUp'];
}

const DEFAULT_TARGET_SIZE = 100 * 1024 * 1024;

/**
 * Groups the small files of each partition into bins of at most `targetSize` bytes, largest first (first-fit
 * decreasing); a bin of one file gains nothing and is left alone.
 */
function planBins(files: readonly DeltaFile[], targetSize: number): DeltaFile[][] {
  const byPartition = new Map<string, DeltaFile[]>();
  for (const f of files) {
    if (f.size >= targetSize) continue;
    const key = JSON.stringify(Object.entries(f.partitionValues).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const list = byPartition.get(key);
    if (list) list.push(f);
    else byPartition.set(key, [f]);
  }
  const bins: DeltaFile[][] = [];
  for (const list of byPartition.values()) {
    const open: { files: DeltaFile[]; size: number }[] = [];
    for (const f of [...list].sort((a, b) => b.size - a.size)) {
      const bin = open.find((b) => b.size + f.size <= targetSize);
      if (bin) {
        bin.files.push(f);
        bin.size += f.size;
      } else open.push({ files: [f], size: f.size });
    }
    bins.push(...open.filter((b) => b.files.length > 1).map((b) => b.files));
  }
  return bins;
}

/** Z-order rewrites every file of a partition: one bin per partition, whatever the files' sizes. */
function partitionsOf(files: readonly DeltaFile[]): DeltaFile[][] {
  const byPartition = new Map<string, DeltaFile[]>();
  for (const f of files) {
    const key = JSON.stringify(Object.entries(f.partitionValues).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    byPartition.set(key, [...(byPartition.get(key) ?? []), f]);
  }
  return [...byPartition.values()];
}

/** Z-order columns must be data columns: a partition column is one value per partition, nothing to order. */
function checkZOrderColumns(snapshot: Snapshot, columns: readonly string[], uri: string): void {
  for (const name of columns) {
    if (snapshot.partitionColumns.includes(name)) {
      throw new DeltaError('unsupported-write', `cannot Z-order by ${name}: it is a partition column`, {
        path: uri,
        hint: 'Z-order by data columns; the partition columns already separate the files',
      });
    }
    if (!snapshot.schema.fields.some((f) => f.name === name)) {
      throw new DeltaError('unknown-column', `cannot Z-order by ${name}: not a column of the table`, {
        path: uri,
        hint: `Z-order by some of: ${snapshot.schema.fields.map((f) => f.name).join(', ')}`,
      });
    }
  }
}

/**
 * Compacts small files (OPTIMIZE's bin-packing): each bin's live rows (deletion vectors applied) are written as one
 * file, and one commit removes the bin's files and adds the new ones with dataChange false (PROTOCOL.md "Add File and
 * Remove File": the same rows rearranged), so readers of the change data feed and streaming readers skip it. A
 * concurrent append does not conflict; a concurrent change to a compacted file does (`commit-conflict`).
 *
 * ```ts
 * const { filesRemoved, filesAdded } = await optimize('file:///data/orders', { targetSize: 64 << 20 });
 * ```
 */
export async function optimize(target: string | Storage, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const storage = typeof target === 'string' ? openStorage(target, options) : target;
  const targetSize = options.targetSize ?? DEFAULT_TARGET_SIZE;
  if (!Number.isSafeInteger(targetSize) || targetSize <= 0) {
    throw new DeltaError('unsupported-write', `targetSize must be a positive number of bytes, not ${targetSize}`, {
      path: storage.uri,
      hint: 'give a target file size in bytes, e.g. 104857600 for 100 MiB',
    });
  }
  const snapshot = await (await openTable(storage)).snapshot();
  assertWritable(snapshot.protocol, storage.uri);
  const zOrderBy = options.zOrderBy ?? [];
  checkZOrderColumns(snapshot, zOrderBy, storage.uri);
  const files = snapshot.files();
  const bins = zOrderBy.length > 0 ? partitionsOf(files) : planBins(files, targetSize);
  const removes = bins.flat();
  const base = {
    filesTotal: files.length,
    filesRemoved: removes.length,
    bytesRemoved: removes.reduce((n, f) => n + f.size, 0),
    dryRun: options.dryRun === true,
  };
  if (options.dryRun === true || bins.length === 0) {
    return { version: snapshot.version, committed: false, filesAdded: 0, bytesAdded: 0, rows: 0, attempts: 0, ...base };
  }
  const ctx = snapshot.scanContext();
  const names = snapshot.schema.fields.map((f) => f.name);
  const adds: AddAction[] = [];
  let rows = 0;
  for (const [i, bin] of bins.entries()) {
    // One bin in memory at a time: at most targetSize of parquet.
    const data = await new TableScan(ctx, bin, { decoder: 'main-thread' }).toArrow();
    rows += data.numRows;
    if (data.numRows > 0) {
      const selected = new Table(data.batches).select(names);
      // Z-ordered rows are cut into files of about targetSize, estimated from the bytes per row of the files read.
      const rowsPerFile = Math.max(1, Math.floor(targetSize / (bin.reduce((n, f) => n + f.size, 0) / data.numRows)));
      const ordered = zOrderBy.length > 0 ? zOrderRows(selected, zOrderBy, storage.uri, rowsPerFile) : selected;
      adds.push(
        ...(await writeDataFiles(storage, [ordered], {
          schema: snapshot.schema,
          partitionBy: snapshot.partitionColumns,
          columnMapping: snapshot.columnMappingMode !== 'none',
          compression: options.compression ?? 'zstd',
          maxRowsPerFile: zOrderBy.length > 0 ? rowsPerFile : Number.MAX_SAFE_INTEGER,
          rowGroupRows: options.rowGroupRows ?? 1 << 16,
        })),
      );
    }
    options.onProgress?.({ binsDone: i + 1, bins: bins.length });
  }
  const paths = new Set(removes.map((f) => f.path));
  // Only a concurrent change to a file being compacted conflicts: new files are simply not part of this optimize.
  const check: RewriteConflictCheck = (actions: readonly Action[]) => {
    for (const a of actions) {
      if (a.type === 'remove' && paths.has(a.remove.path))
        return `it removed ${a.remove.path}, a file this optimize compacts`;
    }
    return undefined;
  };
  const committed = await commitRewrite(storage, snapshot, {
    operation: 'OPTIMIZE',
    operationParameters: {
      predicate: '[]',
      targetSize: String(targetSize),
      ...(zOrderBy.length > 0 ? { zOrderBy: JSON.stringify(zOrderBy) } : {}),
    },
    operationMetrics: {
      numRemovedFiles: String(removes.length),
      numAddedFiles: String(adds.length),
      numRemovedBytes: String(base.bytesRemoved),
      numAddedBytes: String(adds.reduce((n, a) => n + a.size, 0)),
    },
    removes,
    adds,
    changes: [],
    dataChange: false,
    check,
    maxCommitAttempts: options.maxCommitAttempts,
    cleanUpOnCheckpoint: options.cleanUpOnCheckpoint,
  });
  return {
    version: committed.version,
    committed: true,
    filesAdded: adds.length,
    bytesAdded: adds.reduce((n, a) => n + a.size, 0),
    rows,
    attempts: committed.attempts,
    ...base,
    ...(committed.checkpoint !== undefined ? { checkpoint: committed.checkpoint } : {}),
    ...(committed.cleanUp !== undefined ? { cleanUp: committed.cleanUp } : {}),
  };
}
