import {
  type Data,
  type DataType,
  type Decimal,
  makeVector,
  type RecordBatch,
  type Timestamp,
  TimeUnit,
  Type,
} from 'apache-arrow';

/*
 * Arrow values as text for `meridian delta scan`: exact (int64 as digits, timestamps to the microsecond,
 * decimals at their scale), which Arrow JS's own getters are not (they return milliseconds and doubles).
 */

/** One cell: a JSON-ready value (strings for int64, timestamps, decimals; objects and arrays for nested types). */
export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };

const MICROS_PER_UNIT: Record<number, [bigint, bigint]> = {
  [TimeUnit.SECOND]: [1_000_000n, 1n],
  [TimeUnit.MILLISECOND]: [1_000n, 1n],
  [TimeUnit.MICROSECOND]: [1n, 1n],
  [TimeUnit.NANOSECOND]: [1n, 1_000n],
};

function isoMicros(micros: bigint, zoned: boolean): string {
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  const rest = micros - ms * 1000n;
  const text = new Date(Number(ms)).toISOString();
  return `${text.slice(0, 23)}${String(rest).padStart(3, '0')}${zoned ? 'Z' : ''}`;
}

function decimalText(words: Uint32Array, offset: number, stride: number, scale: number): string {
  let unscaled = 0n;
  for (let k = stride - 1; k >= 0; k--) unscaled = (unscaled << 32n) | BigInt(words[offset + k] as number);
  const bits = BigInt(stride * 32);
  if (unscaled >= 1n << (bits - 1n)) unscaled -= 1n << bits;
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits;
  return negative ? `-${text}` : text;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The value of row `i` of one column's data. */
function cellOf(data: Data, i: number): Cell {
  if (!data.getValid(i)) return null;
  const type: DataType = data.type;
  switch (type.typeId) {
    case Type.Timestamp: {
      const [mul, div] = MICROS_PER_UNIT[(type as Timestamp).unit] ?? [1n, 1n];
      return isoMicros(
        (BigInt((data.values as BigInt64Array)[i] as bigint) * mul) / div,
        Boolean((type as Timestamp).timezone),
      );
    }
    case Type.Date: {
      const values = data.values as Int32Array | BigInt64Array;
      const ms = values instanceof Int32Array ? (values[i] as number) * 86_400_000 : Number(values[i]);
      return new Date(ms).toISOString().slice(0, 10);
    }
    case Type.Decimal: {
      const stride = data.stride;
      return decimalText(data.values as Uint32Array, i * stride, stride, (type as Decimal).scale);
    }
    case Type.Int: {
      const value = (data.values as ArrayLike<number | bigint>)[i] as number | bigint;
      return typeof value === 'bigint' ? value.toString() : value;
    }
    case Type.Float: {
      const value = (data.values as Float64Array)[i] as number;
      return Number.isFinite(value) ? value : String(value);
    }
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return hex(
        data.type.typeId === Type.FixedSizeBinary
          ? (data.values as Uint8Array).subarray(i * data.stride, (i + 1) * data.stride)
          : (getRaw(data, i) as Uint8Array),
      );
    case Type.Struct: {
      const out: Record<string, Cell> = {};
      const fields = (type as unknown as { children: { name: string }[] }).children;
      fields.forEach((field, k) => {
        out[field.name] = cellOf(data.children[k] as Data, i);
      });
      return out;
    }
    case Type.List:
    case Type.Map: {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0] as Data;
      const items: Cell[] = [];
      for (let j = offsets[i] as number; j < (offsets[i + 1] as number); j++) items.push(cellOf(child, j));
      if (type.typeId === Type.List) return items;
      const map: Record<string, Cell> = {};
      for (const entry of items) {
        const pair = entry as { key: Cell; value: Cell };
        map[String(pair.key)] = pair.value;
      }
      return map;
    }
    default: {
      const value = getRaw(data, i);
      if (value === null || value === undefined) return null;
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
      return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Cell;
    }
  }
}

const utf8 = new TextDecoder();

function getRaw(data: Data, i: number): unknown {
  const typeId = data.type.typeId;
  if (typeId === Type.Utf8 || typeId === Type.LargeUtf8 || typeId === Type.Binary || typeId === Type.LargeBinary) {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = (data.values as Uint8Array).subarray(Number(offsets[i]), Number(offsets[i + 1]));
    return typeId === Type.Utf8 || typeId === Type.LargeUtf8 ? utf8.decode(bytes) : bytes;
  }
  if (typeId === Type.Bool) {
    const bit = data.offset + i;
    return ((((data.values as Uint8Array)[bit >> 3] as number) >> (bit & 7)) & 1) === 1;
  }
  // A one-chunk vector over this data gives Arrow JS's getter for the remaining (rare) types.
  return makeVector(data).get(i);
}

/** The rows of a batch as plain objects of cells, in column order. */
export function* batchRows(batch: RecordBatch): Generator<Record<string, Cell>> {
  const names = batch.schema.fields.map((f) => f.name);
  const columns = batch.data.children;
  for (let i = 0; i < batch.numRows; i++) {
    const row: Record<string, Cell> = {};
    names.forEach((name, k) => {
      row[name] = cellOf(columns[k] as Data, i);
    });
    yield row;
  }
}

/** A cell as CSV or table text: nested values as JSON. */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
