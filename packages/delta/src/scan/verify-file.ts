import { DeltaError } from '../errors.ts';
import type { DeltaFile } from '../log/files.ts';
import type { ParquetFooter, RowGroupInfo } from '../parquet/footer.ts';

/*
 * A data file is trusted only as far as it matches the add action that names it (issue 16, items 2 and 7): another
 * table's file swapped in, a truncated copy, or a decompression bomb all fail here, before any row is decoded.
 */

/**
 * How many bytes a scan may decode from one data file by default (1 GiB): far above what a Delta writer's files
 * decode to (a 1 Mi-row file of 20 columns is about 160 MB), far below what a 1 KB parquet bomb asks for.
 */
export const defaultMaxDecodedBytes = 1024 ** 3;

/** The footer's row counts must agree with each other and with the add action's `numRecords` statistic. */
export function checkFooterRows(file: DeltaFile, footer: ParquetFooter, key: string): void {
  const inGroups = footer.rowGroups.reduce((sum, g) => sum + g.numRows, 0);
  if (inGroups !== footer.numRows) {
    throw new DeltaError(
      'data-file-mismatch',
      `${file.path}: its row groups hold ${inGroups} rows but its footer says ${footer.numRows}`,
      { path: key, hint: 'the data file is damaged; restore it from a copy of the table' },
    );
  }
  const expected = file.stats?.numRecords;
  if (expected !== undefined && expected !== footer.numRows) {
    throw new DeltaError(
      'data-file-mismatch',
      `${file.path} holds ${footer.numRows} rows, but its add action says numRecords ${expected}`,
      {
        path: key,
        hint: 'the data file was replaced or damaged (or is a decompression bomb); restore it from a copy of the table',
      },
    );
  }
}

/**
 * What decoding `groups` (the columns named by `columns`, all when undefined) would take at least: the
 * uncompressed pages, plus 8 bytes a value (Arrow buffers of fixed-width values and offsets).
 */
export function decodedBytesEstimate(
  footer: ParquetFooter,
  groups: readonly RowGroupInfo[],
  columns: ReadonlySet<string> | undefined,
): number {
  const wanted = (path: readonly string[]) => columns === undefined || columns.has(path[0] as string);
  const leaves = footer.leaves.filter((leaf) => wanted(leaf.path)).length;
  let bytes = 0;
  for (const group of groups) {
    bytes += group.numRows * Math.max(1, leaves) * 8;
    for (const chunk of group.columns) if (wanted(chunk.path)) bytes += chunk.uncompressedSize;
  }
  return bytes;
}

/** Refuses a decode estimated above `limit` bytes (TableScanOptions.maxDecodedBytes). */
export function checkDecodeSize(file: DeltaFile, estimate: number, limit: number, key: string): void {
  if (estimate > limit) {
    throw new DeltaError(
      'decode-limit',
      `${file.path} would decode to about ${estimate} bytes (${file.size} bytes on disk), above the limit of ${limit}`,
      {
        path: key,
        hint: 'a file this large for its size may be a decompression bomb; if you trust it, raise maxDecodedBytes',
      },
    );
  }
}

/** Validates a maxDecodedBytes option. */
export function decodeLimit(value: number | undefined): number {
  if (value === undefined) return defaultMaxDecodedBytes;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new DeltaError('invalid-predicate', `maxDecodedBytes must be a positive number of bytes, not ${value}`, {
      path: 'maxDecodedBytes',
      hint: `leave it out for the default (${defaultMaxDecodedBytes} bytes)`,
    });
  }
  return value;
}
