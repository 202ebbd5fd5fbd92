import { type Data, type RecordBatch, type Struct, type Table, type Timestamp, TimeUnit, Type } from 'apache-arrow';
import { gatherBatch } from '../arrow/gather.ts';
import type { BoundColumn, BoundNode } from './bind.ts';
import { compareValues, type Value } from './values.ts';

/*
 * Row-level filtering: skipping by statistics keeps every matching row but also some others, so the rows
 * of each batch are checked exactly. Three-valued logic per row (0 false, 1 true, 2 unknown/null) as in SQL;
 * a row is kept only when the predicate is true.
 */

const FALSE = 0;
const TRUE = 1;
const UNKNOWN = 2;

type Accessor = (row: number) => Value | null;

/** A column's values as one typed array when they need no conversion and have no nulls (the fast path). */
type Dense = BigInt64Array | Float64Array | Float32Array | Int32Array | Int16Array | Int8Array;

/** @internal Exported for its tests: which columns take the fast path (row-filter-fast-path.test.ts). */
export function denseOf(data: Data, column: BoundColumn): Dense | undefined {
  if (column.path.length !== 1 || data.nullCount > 0) return undefined;
  const type = column.type.name;
  const typeId = data.type.typeId;
  const values: unknown = data.values;
  if ((type === 'timestamp' || type === 'timestamp_ntz') && typeId === Type.Timestamp) {
    return (data.type as Timestamp).unit === TimeUnit.MICROSECOND && values instanceof BigInt64Array
      ? values
      : undefined;
  }
  if (type === 'date') return typeId === Type.Date && values instanceof Int32Array ? values : undefined;
  if (type === 'long') return typeId === Type.Int && values instanceof BigInt64Array ? values : undefined;
  if (typeId === Type.Int || typeId === Type.Float) {
    if (
      values instanceof Float64Array ||
      values instanceof Float32Array ||
      values instanceof Int32Array ||
      values instanceof Int16Array ||
      values instanceof Int8Array
    ) {
      return values;
    }
  }
  return undefined;
}

/**
 * Compares a dense column with a literal in one loop; false when the literal's kind does not fit (the per-row path
 * then decides). @internal Exported for its tests.
 */
export function compareDense(op: string, values: Dense, literal: Value, out: Uint8Array): boolean {
  const isBig = values instanceof BigInt64Array;
  let lit: number | bigint;
  if (isBig) {
    if (typeof literal !== 'bigint') return false;
    lit = literal;
  } else {
    if (typeof literal !== 'number' || Number.isNaN(literal)) return false;
    lit = literal;
  }
  const v = values as unknown as ArrayLike<number>;
  const l = lit as number;
  const n = out.length;
  // NaN data compares false except for <>, as comparison() below does.
  switch (op) {
    case 'eq':
      for (let i = 0; i < n; i++) out[i] = (v[i] as number) === l ? TRUE : FALSE;
      return true;
    case 'neq':
      for (let i = 0; i < n; i++) out[i] = (v[i] as number) !== l ? TRUE : FALSE;
      return true;
    case 'lt':
      for (let i = 0; i < n; i++) out[i] = (v[i] as number) < l ? TRUE : FALSE;
      return true;
    case 'lte':
      for (let i = 0; i < n; i++) out[i] = (v[i] as number) <= l ? TRUE : FALSE;
      return true;
    case 'gt':
      for (let i = 0; i < n; i++) out[i] = (v[i] as number) > l ? TRUE : FALSE;
      return true;
    case 'gte':
      for (let i = 0; i < n; i++) out[i] = (v[i] as number) >= l ? TRUE : FALSE;
      return true;
  }
  return false;
}

function findData(batch: RecordBatch, column: BoundColumn): Data | undefined {
  let fields = batch.schema.fields;
  let data: Data | undefined = batch.data as Data;
  for (const name of column.path) {
    const index = fields.findIndex((f) => f.name === name);
    if (index < 0 || !data) return undefined;
    const field = fields[index];
    data = data.children[index];
    fields = field && field.type.typeId === Type.Struct ? (field.type as Struct).children : [];
  }
  return data;
}

function microsFactor(unit: TimeUnit): { mul: bigint; div: bigint } {
  switch (unit) {
    case TimeUnit.SECOND:
      return { mul: 1_000_000n, div: 1n };
    case TimeUnit.MILLISECOND:
      return { mul: 1000n, div: 1n };
    case TimeUnit.MICROSECOND:
      return { mul: 1n, div: 1n };
    default:
      return { mul: 1n, div: 1000n };
  }
}

/** Reads a column's values in the comparable form of its Delta type (see values.ts). */
function accessorOf(data: Data, column: BoundColumn, nestedValid: (row: number) => boolean): Accessor {
  const valid = (row: number): boolean => nestedValid(row) && data.getValid(row);
  const type = column.type.name;
  const typeId = data.type.typeId;
  if ((type === 'timestamp' || type === 'timestamp_ntz') && typeId === Type.Timestamp) {
    const values = data.values as BigInt64Array | Int32Array;
    const { mul, div } = microsFactor((data.type as Timestamp).unit);
    if (mul === 1n && div === 1n && values instanceof BigInt64Array)
      return (row) => (valid(row) ? (values[row] as bigint) : null);
    return (row) => (valid(row) ? (BigInt(values[row] as bigint | number) * mul) / div : null);
  }
  if (type === 'date' && typeId === Type.Date) {
    const values = data.values as Int32Array | BigInt64Array;
    if (values instanceof Int32Array) return (row) => (valid(row) ? (values[row] as number) : null);
    return (row) => (valid(row) ? Math.floor(Number(values[row]) / 86_400_000) : null);
  }
  if (type === 'long' && typeId === Type.Int && data.values instanceof BigInt64Array) {
    const values = data.values;
    return (row) => (valid(row) ? (values[row] as bigint) : null);
  }
  if (
    (typeId === Type.Int || typeId === Type.Float) &&
    !(data.values instanceof BigInt64Array) &&
    !(data.values instanceof BigUint64Array)
  ) {
    const values = data.values as Float64Array;
    return (row) => (valid(row) ? (values[row] as number) : null);
  }
  if (typeId === Type.Decimal) {
    const scale = (data.type as unknown as { scale: number }).scale;
    const words = data.values as Uint32Array;
    const stride = data.stride;
    return (row) => {
      if (!valid(row)) return null;
      // Little-endian 32-bit words of a two's complement integer (Arrow columnar format "Decimal").
      let unscaled = 0n;
      for (let k = stride - 1; k >= 0; k--) unscaled = (unscaled << 32n) | BigInt(words[row * stride + k] as number);
      const bits = BigInt(stride * 32);
      if (unscaled >= 1n << (bits - 1n)) unscaled -= 1n << bits;
      return Number(unscaled) / 10 ** scale;
    };
  }
  return (row) => {
    if (!valid(row)) return null;
    const raw: unknown =
      (data as Data).type.typeId === Type.Bool
        ? ((data.values[(data.offset + row) >> 3] >> ((data.offset + row) & 7)) & 1) === 1
        : getValue(data, row);
    if (raw === null || raw === undefined) return null;
    if (typeof raw === 'string' || typeof raw === 'boolean' || typeof raw === 'number' || typeof raw === 'bigint') {
      if (type === 'long' && typeof raw === 'number') return BigInt(raw);
      return raw;
    }
    return null;
  };
}

function getValue(data: Data, row: number): unknown {
  const typeId = data.type.typeId;
  if (typeId === Type.Utf8 || typeId === Type.LargeUtf8) {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const start = Number(offsets[row]);
    const end = Number(offsets[row + 1]);
    return utf8.decode((data.values as Uint8Array).subarray(start, end));
  }
  if (typeId === Type.Binary || typeId === Type.LargeBinary) {
    // Binary literals are refused when binding (bind.ts), so these are only tested for null; a present value must
    // not read as null (it did, so `payload is null` kept every row): it reads as its bytes in hex, ordered as they are.
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = (data.values as Uint8Array).subarray(Number(offsets[row]), Number(offsets[row + 1]));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  if (typeId === Type.Dictionary && data.dictionary) {
    const key = Number((data.values as Int32Array)[row]);
    return data.dictionary.get(key);
  }
  return undefined;
}

const utf8 = new TextDecoder();

function nestedValidity(batch: RecordBatch, column: BoundColumn): (row: number) => boolean {
  if (column.path.length === 1) return () => true;
  const parents: Data[] = [];
  let fields = batch.schema.fields;
  let data: Data | undefined = batch.data as Data;
  for (const name of column.path.slice(0, -1)) {
    const index = fields.findIndex((f) => f.name === name);
    data = data?.children[index];
    if (!data) break;
    parents.push(data);
    const field = fields[index];
    fields = field && field.type.typeId === Type.Struct ? (field.type as Struct).children : [];
  }
  return (row) => parents.every((p) => p.getValid(row));
}

function evaluateRows(
  node: BoundNode,
  batch: RecordBatch,
  accessors: Map<string, Accessor>,
  dense: Map<string, Dense>,
): Uint8Array {
  const n = batch.numRows;
  const out = new Uint8Array(n);
  switch (node.kind) {
    case 'constant':
      return out.fill(node.value ? TRUE : FALSE);
    case 'and':
    case 'or': {
      const isAnd = node.kind === 'and';
      out.fill(isAnd ? TRUE : FALSE);
      for (const child of node.children) {
        const r = evaluateRows(child, batch, accessors, dense);
        for (let i = 0; i < n; i++) {
          const a = out[i] as number;
          const b = r[i] as number;
          if (isAnd) out[i] = a === FALSE || b === FALSE ? FALSE : a === UNKNOWN || b === UNKNOWN ? UNKNOWN : TRUE;
          else out[i] = a === TRUE || b === TRUE ? TRUE : a === UNKNOWN || b === UNKNOWN ? UNKNOWN : FALSE;
        }
      }
      return out;
    }
    case 'not': {
      const r = evaluateRows(node.child, batch, accessors, dense);
      for (let i = 0; i < n; i++) out[i] = r[i] === UNKNOWN ? UNKNOWN : r[i] === TRUE ? FALSE : TRUE;
      return out;
    }
    case 'is-null': {
      const get = accessors.get(node.column.key) as Accessor;
      for (let i = 0; i < n; i++) out[i] = get(i) === null ? TRUE : FALSE;
      return out;
    }
    case 'compare': {
      const get = accessors.get(node.column.key) as Accessor;
      const literal = node.value;
      if (literal === null) return out.fill(UNKNOWN);
      const values = dense.get(node.column.key);
      if (values && compareDense(node.op, values, literal, out)) return out;
      const test = comparison(node.op);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        out[i] = v === null ? UNKNOWN : test(v, literal) ? TRUE : FALSE;
      }
      return out;
    }
    case 'in': {
      const get = accessors.get(node.column.key) as Accessor;
      const hasNull = node.values.includes(null);
      const values = node.values.filter((v): v is Value => v !== null);
      // `x in (a, b)` is `x = a or x = b`: the same equality, so NaN (on either side) is in no list.
      const equals = comparison('eq');
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v === null) out[i] = UNKNOWN;
        else if (values.some((x) => equals(v, x))) out[i] = TRUE;
        else out[i] = hasNull ? UNKNOWN : FALSE;
      }
      return out;
    }
  }
}

function comparison(op: string): (a: Value, b: Value) => boolean {
  const nan = (v: Value): boolean => typeof v === 'number' && Number.isNaN(v);
  switch (op) {
    case 'eq':
      return (a, b) => !nan(a) && !nan(b) && compareValues(a, b) === 0;
    case 'neq':
      return (a, b) => nan(a) || nan(b) || compareValues(a, b) !== 0;
    case 'lt':
      return (a, b) => !nan(a) && !nan(b) && compareValues(a, b) < 0;
    case 'lte':
      return (a, b) => !nan(a) && !nan(b) && compareValues(a, b) <= 0;
    case 'gt':
      return (a, b) => !nan(a) && !nan(b) && compareValues(a, b) > 0;
    default:
      return (a, b) => !nan(a) && !nan(b) && compareValues(a, b) >= 0;
  }
}

/**
 * The row numbers of a batch for which the predicate is true; columns are found by logical path
 * (a column missing from the batch reads as null).
 */
export function matchingRows(predicate: BoundNode, batch: RecordBatch, columns: readonly BoundColumn[]): Int32Array {
  const accessors = new Map<string, Accessor>();
  const dense = new Map<string, Dense>();
  for (const column of columns) {
    const data = findData(batch, column);
    accessors.set(column.key, data ? accessorOf(data, column, nestedValidity(batch, column)) : () => null);
    const values = data ? denseOf(data, column) : undefined;
    if (values) dense.set(column.key, values);
  }
  const result = evaluateRows(predicate, batch, accessors, dense);
  let count = 0;
  for (let i = 0; i < result.length; i++) if (result[i] === TRUE) count++;
  const rows = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < result.length; i++) if (result[i] === TRUE) rows[k++] = i;
  return rows;
}

/**
 * The number (from 0, across the table's batches) of the first row for which the predicate is not true (false or
 * null), or undefined when it holds for every row: what a CHECK constraint or a replaceWhere overwrite refuses.
 */
export function firstUnmatchedRow(
  predicate: BoundNode,
  data: Table,
  columns: readonly BoundColumn[],
): number | undefined {
  let offset = 0;
  for (const batch of data.batches) {
    const ok = matchingRows(predicate, batch, columns);
    if (ok.length !== batch.numRows) {
      let row = 0;
      while (row < ok.length && ok[row] === row) row++;
      return offset + row;
    }
    offset += batch.numRows;
  }
  return undefined;
}

/**
 * The batch's rows that satisfy the predicate, as zero-copy slices when they form a few long runs
 * (time-ordered data filtered on time) and as gathered copies otherwise. Empty when none match.
 */
export function filterBatch(predicate: BoundNode, batch: RecordBatch, columns: readonly BoundColumn[]): RecordBatch[] {
  const rows = matchingRows(predicate, batch, columns);
  if (rows.length === batch.numRows) return [batch];
  if (rows.length === 0) return [];
  const runs: [number, number][] = [];
  let start = rows[0] as number;
  let previous = start;
  for (let k = 1; k < rows.length; k++) {
    const r = rows[k] as number;
    if (r !== previous + 1) {
      runs.push([start, previous + 1]);
      start = r;
    }
    previous = r;
  }
  runs.push([start, previous + 1]);
  // A slice costs a RecordBatch object; a gather costs a copy of the selected rows. Slices win for long runs.
  if (runs.length <= 4 || rows.length / runs.length >= 1024) return runs.map(([s, e]) => batch.slice(s, e));
  return [gatherBatch(batch, rows)];
}
