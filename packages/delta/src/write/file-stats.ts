import { type Data, type Table, Type } from 'apache-arrow';
import { decimal128At, utf8At } from '../arrow/cells.ts';
import { formatDate, formatDecimal } from '../arrow/variant.ts';
import { compareCodePoints } from '../scan/values.ts';
import type { DeltaType, StructField } from '../schema/types.ts';
import { parseDecimalAtScale } from '../schema/value-text.ts';

/** The `stats` JSON of an add action (PROTOCOL.md "Per-file Statistics"). */
export interface WrittenStats {
  readonly numRecords: number;
  readonly minValues: Record<string, unknown>;
  readonly maxValues: Record<string, unknown>;
  readonly nullCount: Record<string, unknown>;
}

// Spark's dataSkippingStringPrefixLength: string statistics hold at most 32 characters.
const STRING_PREFIX = 32;

type Bound = number | bigint | string;

// PROTOCOL.md "Per-file Statistics": strings are ordered as their UTF-8 bytes (code points), as the
// reader compares them; JS `<` orders UTF-16 units, which puts U+E000..U+FFFF above astral characters.
function less(a: Bound, b: Bound): boolean {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b) < 0;
  return a < b;
}

/** Min, max and null count of one leaf column over rows whose ancestors are all valid. */
interface LeafStats {
  min: Bound | undefined;
  max: Bound | undefined;
  nulls: number;
  /** A value made min/max meaningless (NaN) or could not be bounded exactly: write no min/max. */
  unbounded: boolean;
}

/** The ancestors' validity of a top-level column: every row. Leaves under it take the typed-array paths below. */
const ALWAYS = (_i: number): boolean => true;

/** Whether row i of a column with nulls is valid, read from its validity bitmap (which starts at bit `data.offset`). */
function validAt(bitmap: Uint8Array, offset: number, i: number): boolean {
  const p = offset + i;
  return ((bitmap[p >> 3] as number) & (1 << (p & 7))) !== 0;
}

type NumberArray = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** The typed array a leaf of this type holds one value per row in, when it is read as numbers. */
function numberValues(data: Data, t: DeltaType): NumberArray | undefined {
  if (t.kind !== 'primitive') return undefined;
  const v: unknown = data.values;
  switch (t.name) {
    case 'byte':
      return v instanceof Int8Array ? v : undefined;
    case 'short':
      return v instanceof Int16Array ? v : undefined;
    case 'integer':
    case 'date':
      return v instanceof Int32Array ? v : undefined;
    case 'float':
      return v instanceof Float32Array ? v : undefined;
    case 'double':
      return v instanceof Float64Array ? v : undefined;
    default:
      return undefined;
  }
}

/**
 * Min, max and nulls of a top-level number column in one pass over its typed arrays, without a call or a
 * boxed value per row (the per-row path was most of a write's statistics time). NaN makes the bounds unusable.
 */
function numberLeafStats(chunks: readonly Data[], arrays: readonly NumberArray[]): LeafStats {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nulls = 0;
  let values = 0;
  let nan = false;
  for (const [c, data] of chunks.entries()) {
    const a = arrays[c] as NumberArray;
    const n = data.length;
    if (data.nullCount === 0) {
      for (let i = 0; i < n; i++) {
        const v = a[i] as number;
        if (v < min) min = v;
        if (v > max) max = v;
        if (Number.isNaN(v)) nan = true;
      }
      values += n;
      continue;
    }
    const bitmap = data.nullBitmap as Uint8Array;
    const offset = data.offset;
    for (let i = 0; i < n; i++) {
      if (!validAt(bitmap, offset, i)) {
        nulls++;
        continue;
      }
      const v = a[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
      if (Number.isNaN(v)) nan = true;
      values++;
    }
  }
  // Every value NaN leaves min/max at the infinities: unbounded as well.
  if (nan) return { min: undefined, max: undefined, nulls, unbounded: true };
  return values === 0
    ? { min: undefined, max: undefined, nulls, unbounded: false }
    : { min, max, nulls, unbounded: false };
}

/**
 * Min, max and nulls of a top-level 64-bit column (long, timestamps) over the two 32-bit halves of each value
 * (little-endian: low word first, high word signed): reading a BigInt64Array element makes a BigInt per row.
 */
function bigintLeafStats(chunks: readonly Data[]): LeafStats {
  let nulls = 0;
  let minHi = 0;
  let minLo = 0;
  let maxHi = 0;
  let maxLo = 0;
  let found = false;
  for (const data of chunks) {
    const big = data.values as BigInt64Array;
    const words = new Int32Array(big.buffer, big.byteOffset, data.length * 2);
    const bitmap = data.nullCount === 0 ? undefined : (data.nullBitmap as Uint8Array);
    const offset = data.offset;
    for (let i = 0; i < data.length; i++) {
      if (bitmap !== undefined && !validAt(bitmap, offset, i)) {
        nulls++;
        continue;
      }
      const lo = (words[2 * i] as number) >>> 0;
      const hi = words[2 * i + 1] as number;
      if (!found) {
        minHi = maxHi = hi;
        minLo = maxLo = lo;
        found = true;
        continue;
      }
      if (hi < minHi || (hi === minHi && lo < minLo)) {
        minHi = hi;
        minLo = lo;
      }
      if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
        maxHi = hi;
        maxLo = lo;
      }
    }
  }
  if (!found) return { min: undefined, max: undefined, nulls, unbounded: false };
  const join = (hi: number, lo: number) => (BigInt(hi) << 32n) | BigInt(lo);
  return { min: join(minHi, minLo), max: join(maxHi, maxLo), nulls, unbounded: false };
}

/**
 * Whether a leaf holds 64-bit words: the columns are of their Delta types here (deltaSchemaOf takes only microsecond
 * timestamps, and an append is conformed to the table's schema), so these are longs and timestamps.
 */
function isBigintLeaf(data: Data): boolean {
  return data.values instanceof BigInt64Array;
}

function leafValue(data: Data, t: DeltaType, i: number): Bound | undefined {
  if (t.kind === 'decimal') {
    return decimal128At(data.values as Uint32Array, i);
  }
  if (t.kind !== 'primitive') return undefined;
  switch (t.name) {
    case 'string':
      // LargeUtf8 comes here (64-bit offsets, which utf8At reads); Utf8 takes the byte path of stringLeafStats.
      return utf8At(data, i);
    case 'byte':
    case 'short':
    case 'integer':
    case 'float':
    case 'double':
    case 'date':
      return (data.values as Int32Array | Float64Array)[i] as number;
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return (data.values as BigInt64Array)[i] as bigint;
    default:
      return undefined;
  }
}

/** Whether Delta records min/max for the type: not for booleans, binary, arrays, maps (as Spark). */
function hasBounds(t: DeltaType): boolean {
  if (t.kind === 'decimal') return true;
  if (t.kind !== 'primitive') return false;
  return !['boolean', 'binary', 'variant'].includes(t.name);
}

/** A string bound: where its UTF-8 bytes are, with a big-endian view of them for comparing four bytes at a time. */
interface ByteRange {
  readonly view: DataView;
  readonly start: number;
  readonly end: number;
}

/**
 * Compares two byte ranges as unsigned bytes: the UTF-8 order of strings, which is code point order. Four bytes at a
 * time as big-endian words, which order as their bytes do (values often share a long prefix, as host names do).
 */
function compareBytes(a: DataView, a0: number, a1: number, b: DataView, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const x = a.getUint32(a0 + k);
    const y = b.getUint32(b0 + k);
    if (x !== y) return x < y ? -1 : 1;
  }
  for (; k < n; k++) {
    const d = a.getUint8(a0 + k) - b.getUint8(b0 + k);
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

/**
 * Min, max and nulls of a string column compared as UTF-8 bytes in place: only the two bounds are
 * decoded, not every value (decoding each string was most of the statistics' time).
 */
function stringLeafStats(chunks: readonly Data[], ancestorsValid: readonly ((i: number) => boolean)[]): LeafStats {
  const out: LeafStats = { min: undefined, max: undefined, nulls: 0, unbounded: false };
  let min: ByteRange | undefined;
  let max: ByteRange | undefined;
  for (const [c, data] of chunks.entries()) {
    const ancestors = ancestorsValid[c] as (i: number) => boolean;
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const all = ancestors === ALWAYS;
    const bitmap = data.nullCount === 0 ? undefined : (data.nullBitmap as Uint8Array);
    const offset = data.offset;
    for (let i = 0; i < data.length; i++) {
      if ((!all && !ancestors(i)) || (bitmap !== undefined && !validAt(bitmap, offset, i))) {
        out.nulls++;
        continue;
      }
      const start = offsets[i] as number;
      const end = offsets[i + 1] as number;
      if (!min || compareBytes(view, start, end, min.view, min.start, min.end) < 0) min = { view, start, end };
      if (!max || compareBytes(view, start, end, max.view, max.start, max.end) > 0) max = { view, start, end };
    }
  }
  const decoder = new TextDecoder();
  const text = (r: ByteRange) =>
    decoder.decode(new Uint8Array(r.view.buffer, r.view.byteOffset + r.start, r.end - r.start));
  if (min) out.min = text(min);
  if (max) out.max = text(max);
  return out;
}

function leafStats(
  chunks: readonly Data[],
  ancestorsValid: readonly ((i: number) => boolean)[],
  t: DeltaType,
): LeafStats {
  // Utf8 data is a Delta string (binary is Type.Binary); LargeUtf8's 64-bit offsets take the row-by-row path.
  if (chunks.every((d) => d.typeId === Type.Utf8)) {
    return stringLeafStats(chunks, ancestorsValid);
  }
  if (ancestorsValid.every((a) => a === ALWAYS)) {
    if (chunks.every(isBigintLeaf)) return bigintLeafStats(chunks);
    const arrays = chunks.map((d) => numberValues(d, t));
    if (arrays.every((a) => a !== undefined)) return numberLeafStats(chunks, arrays);
  }
  const out: LeafStats = { min: undefined, max: undefined, nulls: 0, unbounded: false };
  const bounded = hasBounds(t);
  for (const [c, data] of chunks.entries()) {
    const ancestors = ancestorsValid[c] as (i: number) => boolean;
    for (let i = 0; i < data.length; i++) {
      if (!ancestors(i) || !data.getValid(i)) {
        out.nulls++;
        continue;
      }
      if (!bounded || out.unbounded) continue;
      const v = leafValue(data, t, i);
      if (v === undefined) continue;
      if (typeof v === 'number' && Number.isNaN(v)) {
        out.unbounded = true;
        continue;
      }
      if (out.min === undefined || less(v, out.min)) out.min = v;
      if (out.max === undefined || less(out.max, v)) out.max = v;
    }
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A JSON bound for the stats, or undefined when none can be written without loosening it wrongly. */
function jsonBound(v: Bound, t: DeltaType, side: 'min' | 'max'): unknown {
  if (t.kind === 'decimal') {
    const unscaled = v as bigint;
    // JSON numbers go through doubles in most readers: only exact ones are written.
    if (unscaled > MAX_SAFE || unscaled < -MAX_SAFE) return undefined;
    // Spark and delta-rs read a decimal's statistic back from its JSON text, exactly; a double prints the shortest
    // text that is the same double, which for sixteen digits with a fraction may be another decimal
    // (826018966975.7564 prints as 826018966975.7563: a maximum below the value would skip the file holding it).
    const n = Number(formatDecimal(unscaled, t.scale));
    return parseDecimalAtScale(String(n), t.precision, t.scale) === unscaled ? n : undefined;
  }
  if (t.kind !== 'primitive') return undefined;
  switch (t.name) {
    case 'string': {
      const chars = [...(v as string)];
      if (chars.length <= STRING_PREFIX) return v;
      // A prefix is still a lower bound; a cut maximum would not be an upper bound, so none is written.
      return side === 'min' ? chars.slice(0, STRING_PREFIX).join('') : undefined;
    }
    case 'long': {
      const b = v as bigint;
      return b > MAX_SAFE || b < -MAX_SAFE ? undefined : Number(b);
    }
    case 'date':
      return formatDate(v as number);
    case 'timestamp':
    case 'timestamp_ntz': {
      // Statistics hold milliseconds (as Spark writes them): the minimum is cut down and the maximum
      // rounded up, so both stay bounds of the microsecond values.
      const us = v as bigint;
      let ms = us / 1000n;
      if (us % 1000n !== 0n && us < 0n === (side === 'min')) ms += side === 'min' ? -1n : 1n;
      const iso = new Date(Number(ms)).toISOString();
      return t.name === 'timestamp' ? iso : iso.slice(0, -1);
    }
    default:
      return v;
  }
}

function collect(
  fields: readonly StructField[],
  chunksOf: (j: number) => Data[],
  ancestors: readonly ((i: number) => boolean)[],
  target: {
    minValues: Record<string, unknown>;
    maxValues: Record<string, unknown>;
    nullCount: Record<string, unknown>;
  },
): void {
  for (const [j, field] of fields.entries()) {
    const chunks = chunksOf(j);
    if (field.type.kind === 'struct') {
      const nested = { minValues: {}, maxValues: {}, nullCount: {} };
      const childAncestors = chunks.map((data, c) => {
        const parent = ancestors[c] as (i: number) => boolean;
        return (i: number) => parent(i) && data.getValid(i);
      });
      collect(field.type.fields, (k) => chunks.map((d) => d.children[k] as Data), childAncestors, nested);
      target.nullCount[field.name] = nested.nullCount;
      if (Object.keys(nested.minValues).length > 0) target.minValues[field.name] = nested.minValues;
      if (Object.keys(nested.maxValues).length > 0) target.maxValues[field.name] = nested.maxValues;
      continue;
    }
    const s = leafStats(chunks, ancestors, field.type);
    target.nullCount[field.name] = s.nulls;
    if (s.unbounded || s.min === undefined || s.max === undefined) continue;
    const min = jsonBound(s.min, field.type, 'min');
    const max = jsonBound(s.max, field.type, 'max');
    if (min !== undefined) target.minValues[field.name] = min;
    if (max !== undefined) target.maxValues[field.name] = max;
  }
}

/** The statistics of one data file's rows (`fields` are the file's columns, partition columns excluded). */
export function fileStats(table: Table, fields: readonly StructField[]): WrittenStats {
  const stats = { numRecords: table.numRows, minValues: {}, maxValues: {}, nullCount: {} };
  const always = table.batches.map(() => ALWAYS);
  collect(fields, (j) => table.batches.map((b) => b.data.children[j] as Data), always, stats);
  return stats;
}
