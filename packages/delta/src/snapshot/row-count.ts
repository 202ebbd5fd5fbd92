import type { DeletionVectorDescriptor } from '../log/actions.ts';
import type { FileStats } from '../log/files.ts';

/** What {@link countRows} reads of a live file (a DeltaFile). */
interface CountedFile {
  readonly deletionVector: DeletionVectorDescriptor | null;
  readonly stats: FileStats | undefined;
}

/** A snapshot's row count from its log alone (no data file read): see {@link countRows}. */
export interface RowCount {
  /** Live rows: the files' numRecords less the rows their deletion vectors delete; undefined when unknown. */
  readonly rows: number | undefined;
  /** Rows the numRecords statistics give, over the files that have one (before deletion vectors). */
  readonly recorded: number;
  /** Rows deleted by deletion vectors (the sum of their cardinalities). */
  readonly deleted: number;
  /** Files without a numRecords statistic: while any, the live count is unknown without reading them. */
  readonly filesWithoutCount: number;
}

/**
 * Counts the live rows of `files` from the add actions: PROTOCOL.md "Per-file Statistics" numRecords is the rows
 * in the data file, and "Deletion Vectors" marks `deletionVector.cardinality` of them deleted, so a file holds
 * numRecords - cardinality live rows. Statistics are optional; a file without numRecords makes the count unknown
 * rather than low.
 */
export function countRows(files: readonly CountedFile[]): RowCount {
  let recorded = 0;
  let deleted = 0;
  let filesWithoutCount = 0;
  for (const file of files) {
    deleted += file.deletionVector?.cardinality ?? 0;
    // numRecords is a JSON number in `stats`, and may be an int64 (bigint) in a checkpoint's `stats_parsed`.
    const n = file.stats?.numRecords as unknown;
    if (typeof n === 'number' && Number.isFinite(n)) recorded += n;
    else if (typeof n === 'bigint') recorded += Number(n);
    else filesWithoutCount++;
  }
  return { rows: filesWithoutCount === 0 ? recorded - deleted : undefined, recorded, deleted, filesWithoutCount };
}
