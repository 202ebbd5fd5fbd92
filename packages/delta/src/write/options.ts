// The options of writeTable, apart from it so the option check (check-options.ts) imports no code of the writer.
import type { OpenStorageOptions } from '../storage/open.ts';
import type { WriteProgress } from './data-files.ts';
import type { Encoder, WriteCompression } from './parquet.ts';

/** How a write treats an existing table. */
export type WriteMode =
  /** Make a new table; refused when one exists. */
  | 'create'
  /** Add rows to the table (made when absent); the schema must match. */
  | 'append'
  /** Replace every row (the table is made when absent); the schema and partitioning stay unless `overwriteSchema`. */
  | 'overwrite';

/** Options of {@link writeTable}. */
export interface WriteOptions extends OpenStorageOptions {
  readonly mode: WriteMode;
  /** Partition columns of a new table; an existing table keeps its own, and must be given the same or none. */
  readonly partitionBy?: readonly string[];
  /**
   * Overwrite only: replace the table's schema and partitioning with the data's and `partitionBy`
   * (as other engines name the option). Without it an overwrite must match the table's columns.
   */
  readonly overwriteSchema?: boolean;
  /**
   * Schema evolution on request: columns the table lacks are added (nullable), and nullable columns
   * the data lacks are written as nulls. Without it the data must have exactly the table's columns.
   */
  readonly mergeSchema?: boolean;
  /**
   * Overwrite only: replace just the rows matching this predicate (`"date >= '2024-05-01'"`), as
   * Delta Spark's replaceWhere. Every written row must match it; other rows stay.
   */
  readonly replaceWhere?: string;
  /** Parquet codec of the data files; zstd by default. */
  readonly compression?: WriteCompression;
  /** Rows per parquet row group (64 Ki by default). */
  readonly rowGroupRows?: number;
  /** Rows per data file at most (1 Mi by default); a partition with more is split into several files. */
  readonly maxRowsPerFile?: number;
  /** Table name and description recorded in a new table's metadata. */
  readonly name?: string;
  readonly description?: string;
  /**
   * Table properties (`metaData.configuration`) set by a create or an overwrite. A property that needs a
   * table feature (delta.appendOnly, delta.constraints.*, delta.enableChangeDataFeed, delta.enableDeletionVectors,
   * delta.enableInCommitTimestamps, delta.columnMapping.mode) upgrades the protocol in the same commit.
   */
  readonly configuration?: Readonly<Record<string, string>>;
  /**
   * An application transaction (PROTOCOL.md "Transaction Identifiers"): the write is skipped when the
   * table already holds a transaction of `appId` at `version` or later, so a retried job never adds
   * its rows twice. Versions of one appId must grow with each write.
   */
  readonly txn?: { readonly appId: string; readonly version: number };
  /** Called after each data file is stored, before the commit: `{ filesWritten, files, bytesWritten }`. */
  readonly onProgress?: (progress: WriteProgress) => void;
  /**
   * After a commit that writes a checkpoint (every delta.checkpointInterval commits), delete the `.meridian-tmp-*`
   * files and data files no version references (what killed writers leave), once older than
   * delta.deletedFileRetentionDuration: vacuum's rule, one listing of the table. Never fails the write: see
   * {@link WriteResult.cleanUp}. Default true.
   */
  readonly cleanUpOnCheckpoint?: boolean;
  /** Commit attempts before giving up when other writers keep taking the next version (100). */
  readonly maxCommitAttempts?: number;
  /**
   * Where data files are encoded as parquet: in this worker pool, or on the calling thread with 'main-thread'. By
   * default the pool scans share (one worker per core) for writes of 100,000 rows or more, so several files are
   * encoded at once while this thread computes their statistics, and the calling thread for smaller ones.
   */
  readonly encoder?: Encoder;
}
