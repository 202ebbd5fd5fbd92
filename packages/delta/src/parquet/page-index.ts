import { decodeThriftStruct, type ThriftStruct, type ThriftValue } from './thrift-compact.ts';

/*
 * A column chunk's page index (parquet-format PageIndex.md; parquet.thrift OffsetIndex and ColumnIndex): where each
 * data page starts in rows, and each page's min/max and null count. Field ids below are parquet.thrift's.
 */

/** One data page of a column chunk, as its page index describes it. */
export interface IndexedPage {
  /** Row index of the page's first row within its row group (OffsetIndex PageLocation.first_row_index). */
  readonly firstRow: number;
  /** Rows in the page: up to the next page's first row, or the row group's end. */
  readonly rows: number;
  /** ColumnIndex null_pages: every value of the page is null (its min and max mean nothing then). */
  readonly allNull: boolean;
  /** Bounds in the column's physical encoding, as the chunk statistics hold them. */
  readonly min: Uint8Array | undefined;
  readonly max: Uint8Array | undefined;
  readonly nullCount: number | undefined;
}

function list(value: ThriftValue | undefined): ThriftValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function count(value: ThriftValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'bigint' ? Number(value) : undefined;
}

/** Bytes of a file from byte `start` on (the footer's speculative tail read, or the whole file with start 0). */
export interface FileBytes {
  readonly start: number;
  readonly bytes: Uint8Array;
}

function slice(file: FileBytes, range: readonly [number, number]): Uint8Array | undefined {
  const from = range[0] - file.start;
  const to = range[1] - file.start;
  return from >= 0 && to <= file.bytes.length && from < to ? file.bytes.subarray(from, to) : undefined;
}

/**
 * The pages of one column chunk from its OffsetIndex and ColumnIndex; undefined when either index is missing, not in
 * `file`, or inconsistent, which a caller treats as "every page may match".
 */
export function readPageIndex(
  file: FileBytes,
  offsetIndex: readonly [number, number] | undefined,
  columnIndex: readonly [number, number] | undefined,
  groupRows: number,
): IndexedPage[] | undefined {
  if (!offsetIndex || !columnIndex) return undefined;
  const offsetBytes = slice(file, offsetIndex);
  const boundBytes = slice(file, columnIndex);
  if (!offsetBytes || !boundBytes) return undefined;
  let offsets: ThriftStruct;
  let bounds: ThriftStruct;
  try {
    offsets = decodeThriftStruct(offsetBytes);
    bounds = decodeThriftStruct(boundBytes);
  } catch {
    return undefined;
  }
  const locations = list(offsets.get(1));
  const nullPages = list(bounds.get(1));
  const mins = list(bounds.get(2));
  const maxs = list(bounds.get(3));
  const nullCounts = list(bounds.get(5));
  if (!locations || !nullPages || !mins || !maxs) return undefined;
  const n = locations.length;
  if (n === 0 || nullPages.length !== n || mins.length !== n || maxs.length !== n) return undefined;
  if (nullCounts && nullCounts.length !== n) return undefined;
  const firstRows: number[] = [];
  for (const location of locations) {
    const first = location instanceof Map ? count(location.get(3)) : undefined;
    // First rows must start at 0 and rise: anything else is an index this reader cannot trust.
    if (first === undefined || first < 0 || first >= groupRows) return undefined;
    if (firstRows.length === 0 ? first !== 0 : first <= (firstRows.at(-1) as number)) return undefined;
    firstRows.push(first);
  }
  return firstRows.map((firstRow, i) => {
    const min = mins[i];
    const max = maxs[i];
    return {
      firstRow,
      rows: (i + 1 < n ? (firstRows[i + 1] as number) : groupRows) - firstRow,
      allNull: nullPages[i] === true,
      min: min instanceof Uint8Array ? min : undefined,
      max: max instanceof Uint8Array ? max : undefined,
      nullCount: nullCounts ? count(nullCounts[i]) : undefined,
    };
  });
}
