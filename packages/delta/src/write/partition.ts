import { type Data, makeData, RecordBatch, Schema, Struct, Table, Type } from 'apache-arrow';
import { decimal128At, utf8At } from '../arrow/cells.ts';
import { gatherBatch } from '../arrow/gather.ts';
import { formatDate, formatDecimal, formatMicros } from '../arrow/variant.ts';
import { DeltaError } from '../errors.ts';
import { type DeltaType, formatDeltaType, type StructField } from '../schema/types.ts';
import { isNullPartitionValue, parsePartitionValue } from '../schema/value-text.ts';

/** The rows of one partition: their serialized partition values and the data columns. */
export interface PartitionRows {
  readonly values: Readonly<Record<string, string | null>>;
  /** Rows of the partition without the partition columns. */
  readonly table: Table;
}

/** PROTOCOL.md "Partition Value Serialization": the string a partition value is written as. */
function serialize(data: Data, t: DeltaType, i: number, column: string): string | null {
  if (data.nullCount > 0 && !data.getValid(i)) return null;
  if (t.kind === 'decimal') {
    return formatDecimal(decimal128At(data.values as Uint32Array, i), t.scale);
  }
  if (t.kind === 'primitive') {
    switch (t.name) {
      case 'string':
        return utf8At(data, i);
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        return String((data.values as Int32Array | BigInt64Array | Float64Array)[i]);
      case 'boolean': {
        const at = data.offset + i;
        return ((data.values as Uint8Array)[at >> 3] as number) & (1 << (at & 7)) ? 'true' : 'false';
      }
      case 'date':
        return formatDate((data.values as Int32Array)[i] as number);
      case 'timestamp':
        // PROTOCOL.md "Partition Value Serialization": an ISO 8601 timestamp adjusted to UTC, with Z, so
        // no engine reads it in its own time zone.
        return `${formatMicros((data.values as BigInt64Array)[i] as bigint)}Z`;
      case 'timestamp_ntz':
        // "{year}-{month}-{day} {hour}:{minute}:{second}.{microsecond}": a timestamp without a zone.
        return formatMicros((data.values as BigInt64Array)[i] as bigint).replace('T', ' ');
      default:
        break;
    }
  }
  throw new DeltaError('unsupported-write', `partition column ${column} has a type that cannot be a partition value`, {
    path: column,
    hint: 'partition by a string, number, boolean, date, timestamp or decimal column',
  });
}

/**
 * The serialized value, once it is known to read back as written: through the parser readers and pruning use
 * (schema/value-text.ts). An empty string or `__HIVE_DEFAULT_PARTITION__` would read back as null, so a string
 * partition column holding one is refused rather than silently turned into null.
 */
function checkedValue(text: string | null, t: DeltaType, column: string): string | null {
  if (text === null) return null;
  if (isNullPartitionValue(text)) {
    throw new DeltaError(
      'unsupported-write',
      `partition column ${column} holds '${text}', which every reader reads as null`,
      {
        path: column,
        hint: 'write null instead, or map the value to another string before writing',
      },
    );
  }
  if (parsePartitionValue(text, t) === undefined) {
    throw new DeltaError(
      'unsupported-write',
      `partition value '${text}' of ${column} would not read back as a ${formatDeltaType(t)}`,
      {
        path: column,
        hint: "this is a bug in the writer's serialization; please report it with the value",
      },
    );
  }
  return text;
}

function sameBytes(bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): boolean {
  if (a1 - a0 !== b1 - b0) return false;
  for (let k = 0; k < a1 - a0; k++) if (bytes[a0 + k] !== bytes[b0 + k]) return false;
  return true;
}

/**
 * Whether every row of a batch has the same partition values, checked without decoding a value: string columns
 * without nulls are compared as bytes against the first row. Other types (and strings with nulls) answer false, and
 * the rows go one by one.
 */
function constantValues(
  rows: number,
  columns: readonly Data[],
  partIndexes: readonly number[],
  fields: readonly StructField[],
  partitionBy: readonly string[],
): boolean {
  if (rows === 0) return false;
  for (const [k, data] of columns.entries()) {
    if (data.typeId !== Type.Utf8 || data.nullCount !== 0) return false;
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const start = offsets[0] as number;
    const end = offsets[1] as number;
    for (let i = 1; i < rows; i++) {
      if (!sameBytes(bytes, start, end, offsets[i] as number, offsets[i + 1] as number)) return false;
    }
    // A value that cannot be a partition value is refused as the row-by-row path refuses it.
    serialize(data, (fields[partIndexes[k] as number] as StructField).type, 0, partitionBy[k] as string);
  }
  return true;
}

/**
 * Splits rows by the values of `partitionBy`, keeping row order inside each partition; partitions
 * come out in order of first appearance.
 */
export function splitPartitions(
  table: Table,
  fields: readonly StructField[],
  partitionBy: readonly string[],
): PartitionRows[] {
  if (partitionBy.length === 0) return [{ values: {}, table }];
  const partIndexes = partitionBy.map((name) => fields.findIndex((f) => f.name === name));
  const keep = fields.map((_, j) => j).filter((j) => !partIndexes.includes(j));
  const dataSchema = new Schema(
    keep.map((j) => table.schema.fields[j] as NonNullable<(typeof table.schema.fields)[number]>),
  );
  const groups = new Map<
    string,
    // rows undefined: every row of the batch.
    { values: Record<string, string | null>; batches: { batch: RecordBatch; rows: number[] | undefined }[] }
  >();
  for (const batch of table.batches) {
    const perBatch = new Map<string, number[]>();
    const columns = partIndexes.map((j) => batch.data.children[j] as Data);
    const row: (string | null)[] = new Array(partitionBy.length);
    // Rows come in runs of one partition (data sorted or arriving per file): a row whose partition values equal
    // the previous row's, compared as bytes for strings, joins the previous row's list without building its key.
    const previous = columns.map(() => ({ start: -1, end: -1, value: null as string | null }));
    let current: number[] | undefined;
    // A batch of one partition (the usual case): one row (the last) finds the group, and every row joins it.
    const whole = constantValues(batch.numRows, columns, partIndexes, fields, partitionBy);
    for (let i = whole ? batch.numRows - 1 : 0; i < batch.numRows; i++) {
      let same = current !== undefined;
      for (let k = 0; k < partIndexes.length; k++) {
        const j = partIndexes[k] as number;
        const data = columns[k] as Data;
        const type = (fields[j] as StructField).type;
        const p = previous[k] as { start: number; end: number; value: string | null };
        if (data.typeId === Type.Utf8 && (data.nullCount === 0 || data.getValid(i))) {
          const offsets = data.valueOffsets as Int32Array;
          const start = offsets[i] as number;
          const end = offsets[i + 1] as number;
          if (p.start < 0 || !sameBytes(data.values as Uint8Array, p.start, p.end, start, end)) {
            p.value = serialize(data, type, i, partitionBy[k] as string);
            same = false;
          }
          p.start = start;
          p.end = end;
        } else {
          const v = serialize(data, type, i, partitionBy[k] as string);
          // start -2: the previous value came from this branch (a null string, or another type).
          if (p.start !== -2 || v !== p.value) same = false;
          p.start = -2;
          p.end = -2;
          p.value = v;
        }
        row[k] = p.value;
      }
      if (same) {
        (current as number[]).push(i);
        continue;
      }
      // The key is built from the serialized values alone; the values object only once per partition.
      // Length-prefixed, so no value can run into the next one.
      let key = '';
      for (const v of row) key += v === null ? 'N;' : `${v.length}:${v};`;
      let group = groups.get(key);
      if (!group) {
        const values = partitionBy.map((c, k) => {
          const t = (fields[partIndexes[k] as number] as StructField).type;
          return [c, checkedValue(row[k] ?? null, t, c)] as const;
        });
        group = { values: Object.fromEntries(values), batches: [] };
        groups.set(key, group);
      }
      if (whole) {
        group.batches.push({ batch, rows: undefined });
        break;
      }
      let rows = perBatch.get(key);
      if (!rows) {
        rows = [];
        perBatch.set(key, rows);
        group.batches.push({ batch, rows });
      }
      rows.push(i);
      current = rows;
    }
  }
  return [...groups.values()].map((group) => {
    const batches = group.batches.map(({ batch, rows }) => {
      // Built by hand: RecordBatch.select drops the children of struct columns (apache-arrow 21).
      const children = keep.map((j) => batch.data.children[j] as Data);
      const projected = new RecordBatch(
        dataSchema,
        makeData({ type: new Struct(dataSchema.fields), length: batch.numRows, nullCount: 0, children }),
      );
      // A batch wholly in one partition (data arriving sorted or per file) needs no copy.
      return rows === undefined || rows.length === batch.numRows
        ? projected
        : gatherBatch(projected, Int32Array.from(rows));
    });
    return { values: group.values, table: new Table(dataSchema, batches) };
  });
}

// Hive's escaping of partition directory names (FileUtils.escapePathName): control characters and
// these characters become %XX, so any value makes one path segment.
const HIVE_ESCAPED = new Set([...'"#%\'*/:=?\\\u007f{[]^'].map((c) => c.charCodeAt(0)));

function escapePathName(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    out +=
      ch.length === 1 && (code < 0x20 || HIVE_ESCAPED.has(code))
        ? `%${code.toString(16).toUpperCase().padStart(2, '0')}`
        : ch;
  }
  return out;
}

/** The directory of a partition, `a=1/b=x`, with `__HIVE_DEFAULT_PARTITION__` for nulls (as Spark names them). */
export function partitionDirectory(
  partitionBy: readonly string[],
  values: Readonly<Record<string, string | null>>,
): string {
  return partitionBy
    .map((c) => {
      const v = values[c];
      return `${escapePathName(c)}=${v === null || v === undefined || v === '' ? '__HIVE_DEFAULT_PARTITION__' : escapePathName(v)}`;
    })
    .join('/');
}
