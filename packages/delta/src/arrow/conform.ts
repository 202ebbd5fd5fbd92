import { type Data, type DataType, type Field, makeData, TimeUnit, Type } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { int96ToMicros } from '../parquet/int96.ts';
import { arrowType } from '../schema/arrow.ts';
import { type DeltaType, fieldId, physicalName, type StructField } from '../schema/types.ts';
import { decimal128At } from './cells.ts';
import { nullData } from './null-data.ts';

/** How a file's columns are matched to logical fields (PROTOCOL.md "Column Mapping"). */
export type MatchMode = 'none' | 'name' | 'id';

/** Finds the index of the file column (among `fields`) holding a logical field, or -1. */
export function findColumn(fields: readonly Field[], f: StructField, mode: MatchMode): number {
  if (mode === 'id') {
    // PROTOCOL.md "Reader Requirements for Column Mapping": in id mode only field ids resolve
    // columns (a missing id reads as nulls); a file without any field id is refused by the scan.
    const id = fieldId(f);
    return id === undefined ? -1 : fields.findIndex((x) => x.metadata.get('PARQUET:field_id') === String(id));
  }
  const name = physicalName(f, mode !== 'none');
  return fields.findIndex((x) => x.name === name);
}

/** Refuses, in column mapping id mode, a file whose columns carry no parquet field ids. */
export function assertFieldIds(fields: readonly Field[], mode: MatchMode, where: string): void {
  if (mode !== 'id' || fields.length === 0 || fields.some((x) => x.metadata.has('PARQUET:field_id'))) return;
  throw new DeltaError('invalid-log', 'the table maps columns by id, but this data file has no parquet field ids', {
    path: where,
    hint: 'the file was written without field ids (PROTOCOL.md "Reader Requirements for Column Mapping"); rewrite it with a Delta writer',
  });
}

function fail(message: string, where: string): never {
  throw new DeltaError('invalid-log', message, {
    path: where,
    hint: 'the data file does not match the table schema; it may have been written by a broken writer',
  });
}

/** Builds `target` data over the same rows as `data` (length, nulls, offset) from the given buffers. */
function sameRows(
  data: Data,
  target: DataType,
  buffers: { data?: unknown; valueOffsets?: unknown; children?: Data[]; child?: Data },
): Data {
  return makeData({
    type: target,
    length: data.length,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap,
    offset: data.offset,
    ...buffers,
  } as never);
}

function rebadge(data: Data, target: DataType): Data {
  return sameRows(data, target, { data: data.values, valueOffsets: data.valueOffsets, children: data.children });
}

function withValues(data: Data, target: DataType, values: ArrayLike<unknown>): Data {
  // The new buffer starts at the source's offset, so the result has offset 0 and a shifted bitmap
  // would be needed; keep the source offset and copy values for the whole underlying buffer instead.
  return sameRows(data, target, { data: values });
}

const TIME_UNIT_TO_MICROS: Record<number, [bigint, bigint]> = {
  [TimeUnit.SECOND]: [1_000_000n, 1n],
  [TimeUnit.MILLISECOND]: [1_000n, 1n],
  [TimeUnit.MICROSECOND]: [1n, 1n],
  [TimeUnit.NANOSECOND]: [1n, 1_000n],
};

const WRAP = 1n << 64n;

/**
 * parquet-wasm (arrow-rs) reads INT96 timestamps as int64 nanoseconds with wrapping arithmetic, so
 * instants outside 1677-2262 (Spark's 9999-12-31 sentinels) come back shifted by multiples of 2^64 ns.
 * When the file's Delta statistics bound the column, the one shift that lands inside the bounds
 * (they span far less than 2^64 ns, ~584 years) recovers the written instant.
 */
function unwrapNanos(v: bigint, range: NanosRange): bigint {
  if (v >= range.min && v < range.max) return v;
  let k = (range.min - v) / WRAP;
  if (v + k * WRAP < range.min) k += 1n;
  const t = v + k * WRAP;
  return t >= range.min && t < range.max ? t : v;
}

/** Bounds (ns, [min, max)) Delta statistics give a timestamp column of one file. */
export interface NanosRange {
  readonly min: bigint;
  readonly max: bigint;
}

function toMicros(data: Data, target: DataType, where: string, range?: NanosRange): Data {
  const unit = (data.type as unknown as { unit: number }).unit;
  const conv = TIME_UNIT_TO_MICROS[unit];
  if (!conv) fail(`unsupported timestamp unit ${unit}`, where);
  const [mul, div] = conv;
  if (mul === 1n && div === 1n) return rebadge(data, target);
  const src = data.values as BigInt64Array;
  const out = new BigInt64Array(src.length);
  const fix = range && unit === TimeUnit.NANOSECOND && range.max - range.min < WRAP ? range : undefined;
  for (let i = 0; i < src.length; i++) {
    const v = fix ? unwrapNanos(src[i] as bigint, fix) : (src[i] as bigint);
    if (div === 1n) out[i] = v * mul;
    else {
      // Floor division, so instants before 1970 round toward the past like every engine does.
      const q = v / div;
      out[i] = v % div < 0n ? q - 1n : q;
    }
  }
  return withValues(data, target, out);
}

function widenInts(data: Data, target: DataType): Data {
  const t = target as unknown as {
    ArrayType: new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint };
  };
  const src = data.values as ArrayLike<number | bigint>;
  const out = new t.ArrayType(src.length);
  const big = out instanceof BigInt64Array;
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as number | bigint;
    out[i] = big ? BigInt(v) : Number(v);
  }
  return withValues(data, target, out);
}

function largeOffsetsToSmall(data: Data, target: DataType): Data {
  const src = data.valueOffsets as unknown as BigInt64Array;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  return sameRows(data, target, { valueOffsets: out, data: data.values });
}

/** Stores `v` as the i-th 128-bit two's complement value of `out`, little-endian 32-bit words. */
function writeInt128(out: Uint32Array, i: number, v: bigint): void {
  let u = BigInt.asUintN(128, v);
  for (let w = 0; w < 4; w++) {
    out[i * 4 + w] = Number(u & 0xffffffffn);
    u >>= 32n;
  }
}

/** Type widening integer -> decimal(p, s): the unscaled value is the integer times 10^s. */
function intToDecimal(data: Data, target: DataType, scale: number): Data {
  const src = data.values as ArrayLike<number | bigint>;
  const out = new Uint32Array(src.length * 4);
  const factor = 10n ** BigInt(scale);
  for (let i = 0; i < src.length; i++) {
    writeInt128(out, i, BigInt(src[i] as number | bigint) * factor);
  }
  return withValues(data, target, out);
}

function rescaleDecimal(data: Data, target: DataType, fromScale: number, toScale: number): Data {
  const src = data.values as Uint32Array;
  const out = new Uint32Array(src.length);
  const factor = 10n ** BigInt(toScale - fromScale);
  for (let i = 0; i < src.length / 4; i++) {
    writeInt128(out, i, decimal128At(src, i) * factor);
  }
  return withValues(data, target, out);
}

/**
 * Turns a column as read from a data file (physical names, writer's types) into the logical column
 * the table schema describes: struct children renamed and reordered (missing ones all-null),
 * timestamps in microseconds, widened types (PROTOCOL.md "Type Widening") cast up.
 */
export function conform(input: Data, t: DeltaType, mode: MatchMode, where: string, range?: NanosRange): Data {
  const data = input.type.typeId === Type.Dictionary ? undictionary(input, where) : input;
  const target = arrowType(t);
  const src = data.type;
  switch (t.kind) {
    case 'struct': {
      if (src.typeId !== Type.Struct) fail(`expected a struct, found ${String(src)}`, where);
      const children = t.fields.map((f) => {
        const j = findColumn(src.children, f, mode);
        const child = j >= 0 ? data.children[j] : undefined;
        return child
          ? conform(child, f.type, mode, `${where}.${f.name}`)
          : nullData(arrowType(f.type), data.length + data.offset);
      });
      return sameRows(data, target, { children });
    }
    case 'array': {
      if (src.typeId !== Type.List) fail(`expected a list, found ${String(src)}`, where);
      const child = data.children[0];
      if (!child) fail('a list without values', where);
      return sameRows(data, target, {
        valueOffsets: data.valueOffsets,
        child: conform(child, t.elementType, mode, `${where}.element`),
      });
    }
    case 'map': {
      if (src.typeId !== Type.Map) fail(`expected a map, found ${String(src)}`, where);
      const entries = data.children[0];
      const k = entries?.children[0];
      const v = entries?.children[1];
      if (!entries || !k || !v) fail('a map without entries', where);
      const entryType = (target.children[0] as Field).type;
      const entryData = makeData({
        type: entryType,
        length: entries.length,
        nullCount: 0,
        offset: entries.offset,
        children: [conform(k, t.keyType, mode, `${where}.key`), conform(v, t.valueType, mode, `${where}.value`)],
      } as never);
      return sameRows(data, target, { valueOffsets: data.valueOffsets, child: entryData });
    }
    case 'decimal': {
      if (src.typeId === Type.Int) return intToDecimal(data, target, t.scale);
      if (src.typeId !== Type.Decimal) fail(`expected a decimal, found ${String(src)}`, where);
      const s = src as unknown as { scale: number; bitWidth: number };
      if (s.bitWidth !== 128) fail(`unsupported decimal width ${s.bitWidth}`, where);
      if (s.scale === t.scale) return rebadge(data, target);
      return rescaleDecimal(data, target, s.scale, t.scale);
    }
    case 'primitive':
      break;
  }
  switch (t.name) {
    case 'void':
      // PROTOCOL.md "Void Type": all-null whatever a file holds.
      return nullData(target, data.length + data.offset).slice(data.offset, data.length);
    case 'variant': {
      if (src.typeId !== Type.Struct) fail(`expected a variant struct, found ${String(src)}`, where);
      const names = src.children.map((c) => c.name);
      if (names.includes('typed_value')) {
        throw new DeltaError(
          'unsupported-reader-feature',
          "file holds a shredded variant column (reader feature 'variantShredding'), which this reader does not implement",
          {
            path: where,
            hint: 'read the table with an engine that implements variant shredding',
          },
        );
      }
      const value = data.children[names.indexOf('value')];
      const metadata = data.children[names.indexOf('metadata')];
      if (!value || !metadata) fail('a variant column needs value and metadata', where);
      const binary = target.children[0]?.type as DataType;
      return sameRows(data, target, {
        children: [conformBinary(value, binary, where), conformBinary(metadata, binary, where)],
      });
    }
    case 'timestamp':
    case 'timestamp_ntz':
      if (src.typeId === Type.Timestamp) return toMicros(data, target, where, range);
      if (src.typeId === Type.FixedSizeBinary && (src as unknown as { byteWidth: number }).byteWidth === 12) {
        // Raw INT96 (see int96.ts: relabelled so the decoder keeps all 12 bytes).
        return withValues(data, target, int96ToMicros(data.values as Uint8Array, data.length));
      }
      if (src.typeId === Type.Date) {
        // Type widening date -> timestamp_ntz (PROTOCOL.md "Type Widening"): midnight of the day.
        const days = data.values as Int32Array;
        const out = new BigInt64Array(days.length);
        for (let i = 0; i < days.length; i++) out[i] = BigInt(days[i] as number) * 86_400_000_000n;
        return withValues(data, target, out);
      }
      return fail(`expected a timestamp, found ${String(src)}`, where);
    case 'date':
      if (src.typeId === Type.Date) {
        if ((src as unknown as { unit: number }).unit === 0) return rebadge(data, target);
        const ms = data.values as BigInt64Array;
        const out = new Int32Array(ms.length);
        for (let i = 0; i < ms.length; i++) out[i] = Number((ms[i] as bigint) / 86_400_000n);
        return withValues(data, target, out);
      }
      return fail(`expected a date, found ${String(src)}`, where);
    case 'string':
    case 'binary':
      return conformBinary(data, target, where);
    case 'boolean':
      if (src.typeId !== Type.Bool) fail(`expected a boolean, found ${String(src)}`, where);
      return rebadge(data, target);
    case 'float':
    case 'double':
      if (src.typeId === Type.Float) {
        if (
          (src as unknown as { precision: number }).precision === (target as unknown as { precision: number }).precision
        )
          return rebadge(data, target);
        return widenInts(data, target);
      }
      if (src.typeId === Type.Int) return widenInts(data, target);
      return fail(`expected a floating point number, found ${String(src)}`, where);
    default: {
      if (src.typeId !== Type.Int) fail(`expected an integer, found ${String(src)}`, where);
      const sw = (src as unknown as { bitWidth: number }).bitWidth;
      const tw = (target as unknown as { bitWidth: number }).bitWidth;
      if (sw === tw) return rebadge(data, target);
      return widenInts(data, target);
    }
  }
}

/**
 * Materialises a dictionary-encoded column (arrow-rs keeps dictionaries when a file's embedded
 * Arrow schema says so, as delta-rs writes from pandas categoricals): values copied by index.
 */
function undictionary(data: Data, where: string): Data {
  const dict = data.dictionary;
  const valueType = (data.type as unknown as { dictionary: DataType }).dictionary;
  const chunk = dict?.data.length === 1 ? dict.data[0] : undefined;
  if (!chunk) return fail('a dictionary column without one dictionary chunk', where);
  const idx = data.values as ArrayLike<number | bigint>;
  const n = data.length;
  const at = (i: number): number => (data.nullCount > 0 && !data.getValid(i) ? 0 : Number(idx[i]));
  const base = {
    type: valueType,
    length: n,
    nullCount: data.nullCount,
    nullBitmap: data.nullBitmap,
    offset: data.offset,
  };
  const id = valueType.typeId;
  if (id === Type.Utf8 || id === Type.Binary) {
    const src = chunk.values as Uint8Array;
    const so = chunk.valueOffsets;
    const valueOffsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const k = at(i);
      total += (so[k + 1] as number) - (so[k] as number);
      valueOffsets[i + 1] = total;
    }
    const bytes = new Uint8Array(total);
    for (let i = 0; i < n; i++) {
      const k = at(i);
      bytes.set(src.subarray(so[k] as number, so[k + 1] as number), valueOffsets[i] as number);
    }
    return makeData({ ...base, valueOffsets, data: bytes } as never);
  }
  const stride = (valueType as unknown as { stride?: number }).stride ?? 1;
  const ArrayType = (
    valueType as unknown as { ArrayType?: new (n: number) => { [i: number]: unknown; length: number } }
  ).ArrayType;
  if (!ArrayType || stride !== 1 || id === Type.Bool)
    return fail(`unsupported dictionary value type ${String(valueType)}`, where);
  const src = chunk.values as unknown as { [i: number]: unknown };
  const out = new ArrayType(n);
  for (let i = 0; i < n; i++) out[i] = src[at(i)];
  return makeData({ ...base, data: out } as never);
}

function conformBinary(data: Data, target: DataType, where: string): Data {
  const id = data.type.typeId;
  if (id === Type.Utf8 || id === Type.Binary) return rebadge(data, target);
  if (id === Type.LargeUtf8 || id === Type.LargeBinary) return largeOffsetsToSmall(data, target);
  return fail(`expected strings or bytes, found ${String(data.type)}`, where);
}
