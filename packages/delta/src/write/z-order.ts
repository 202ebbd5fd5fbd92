import { type RecordBatch, Table } from 'apache-arrow';
import { gatherBatch } from '../arrow/gather.ts';
import { DeltaError } from '../errors.ts';

/*
 * Z-order (OPTIMIZE ZORDER BY): rows sorted by a Z-value that interleaves the bits of each column's normalized value,
 * so rows close in every one of the columns land in the same file and each file's min/max range per column is
 * narrow: file skipping then works on any of the columns, not only the first sort key.
 *
 * Normalization is by rank (as Delta Spark's range-partition ids, not delta-rs's raw bytes): each value becomes its
 * rank among the distinct values of the column in the rows being ordered, scaled to `bits` bits. Skewed or clustered
 * values still use every bit, and any ordered type (numbers, big integers, strings, dates, booleans) works the same.
 */

type Comparable = number | bigint | string | boolean;

/** A value an ordering can compare, nulls as undefined; other types (structs, lists, maps, binary) are refused. */
function comparable(value: unknown, column: string, uri: string): Comparable | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  if (value instanceof Date) return value.getTime();
  throw new DeltaError('unsupported-write', `cannot Z-order by ${column}: its values are not ordered scalars`, {
    path: uri,
    hint: 'Z-order by number, string, date, timestamp or boolean columns',
  });
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && Number.isNaN(a)) return typeof b === 'number' && Number.isNaN(b) ? 0 : 1;
  if (typeof b === 'number' && Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Each row's rank among the column's distinct values (nulls first, rank 0), scaled to `bits` bits: the top value
 * maps to 2^bits - 1, so columns of few distinct values still spread over the whole range.
 */
function normalizedRanks(values: readonly (Comparable | undefined)[], bits: number): Uint32Array {
  const order = Array.from(values.keys()).sort((i, j) => {
    const a = values[i];
    const b = values[j];
    if (a === undefined) return b === undefined ? 0 : -1;
    if (b === undefined) return 1;
    return compare(a, b);
  });
  const ranks = new Uint32Array(values.length);
  let rank = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (k > 0) {
      const prev = values[order[k - 1] as number];
      const cur = values[i];
      const same = prev === undefined ? cur === undefined : cur !== undefined && compare(prev, cur) === 0;
      if (!same) rank++;
    }
    ranks[i] = rank;
  }
  const top = (2 ** bits - 1) / Math.max(rank, 1);
  for (let i = 0; i < ranks.length; i++) ranks[i] = Math.round((ranks[i] as number) * top);
  return ranks;
}

/**
 * The rows of `table` in Z-order over `columns`, as the files of `rowsPerFile` rows they are cut into: the table's
 * batches are gathered file by file, so file k holds exactly the rows of Z-ranks [k * rowsPerFile, (k + 1) *
 * rowsPerFile), each batch's part of it in Z-order (Arrow JS cannot join batches into one; the file's statistics, what
 * skipping reads, are the same). Bits per column: as many as keep the interleaved value exact in a double (52 /
 * columns), at most 16 (65,536 levels per column is finer than any file layout needs).
 */
export function zOrderRows(table: Table, columns: readonly string[], uri: string, rowsPerFile: number): Table {
  if (table.numRows <= 1 || columns.length === 0) return table;
  const bits = Math.min(16, Math.floor(52 / columns.length));
  const normalized = columns.map((name) => {
    const vector = table.getChild(name);
    if (!vector) {
      throw new DeltaError('unknown-column', `cannot Z-order by ${name}: not a column of the table`, {
        path: uri,
        hint: `Z-order by some of: ${table.schema.fields.map((f) => f.name).join(', ')}`,
      });
    }
    const values: (Comparable | undefined)[] = new Array(table.numRows);
    let i = 0;
    for (const value of vector) values[i++] = comparable(value, name, uri);
    return normalizedRanks(values, bits);
  });
  // Interleave from the top bit down: bit b of column 0, of column 1, ..., then bit b-1 of each.
  const z = new Float64Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    let key = 0;
    for (let b = bits - 1; b >= 0; b--) {
      for (const ranks of normalized) key = key * 2 + (((ranks[i] as number) >>> b) & 1);
    }
    z[i] = key;
  }
  const order = Int32Array.from(z.keys()).sort((i, j) => (z[i] as number) - (z[j] as number));
  const batches = table.batches.filter((b) => b.numRows > 0);
  const starts: number[] = [];
  let offset = 0;
  for (const b of batches) {
    starts.push(offset);
    offset += b.numRows;
  }
  const batchOf = (row: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const out: RecordBatch[] = [];
  for (let from = 0; from < order.length; from += rowsPerFile) {
    const local: number[][] = batches.map(() => []);
    for (const row of order.subarray(from, Math.min(from + rowsPerFile, order.length))) {
      const b = batchOf(row);
      local[b]?.push(row - (starts[b] as number));
    }
    for (const [b, rows] of local.entries()) {
      if (rows.length > 0) out.push(gatherBatch(batches[b] as RecordBatch, Int32Array.from(rows)));
    }
  }
  return new Table(table.schema, out);
}
