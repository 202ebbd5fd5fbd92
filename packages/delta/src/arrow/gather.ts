import { type DataType as ArrowType, type Data, DataType, makeData, RecordBatch, Struct, Type } from 'apache-arrow';

/*
 * Arrow JS has no `take` kernel; this gathers selected rows of a record batch into new buffers
 * (fixed-width values, bits, offsets + bytes, and recursively for nested types), which the row filter
 * uses when the selected rows are not a few long runs that zero-copy slices would serve.
 */

function gatherValidity(data: Data, indices: Int32Array): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0)
    return { nullBitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array(((indices.length + 63) & ~63) >> 3);
  let nullCount = 0;
  for (let j = 0; j < indices.length; j++) {
    if (data.getValid(indices[j] as number)) bitmap[j >> 3] = (bitmap[j >> 3] as number) | (1 << (j & 7));
    else nullCount++;
  }
  return nullCount === 0 ? { nullBitmap: undefined, nullCount: 0 } : { nullBitmap: bitmap, nullCount };
}

type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

function gatherFixed(values: TypedArray, stride: number, indices: Int32Array): TypedArray {
  const Ctor = values.constructor as new (length: number) => TypedArray;
  const out = new Ctor(indices.length * stride);
  if (stride === 1) {
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      const src = values as BigInt64Array;
      for (let j = 0; j < indices.length; j++) out[j] = src[indices[j] as number] as bigint;
    } else {
      const src = values as Float64Array;
      const dst = out as Float64Array;
      for (let j = 0; j < indices.length; j++) dst[j] = src[indices[j] as number] as number;
    }
    return out;
  }
  for (let j = 0; j < indices.length; j++) {
    const from = (indices[j] as number) * stride;
    (out as Uint32Array).set((values as Uint32Array).subarray(from, from + stride), j * stride);
  }
  return out;
}

function gatherBits(data: Data, indices: Int32Array): Uint8Array {
  const out = new Uint8Array(((indices.length + 63) & ~63) >> 3);
  const bits = data.values as Uint8Array;
  for (let j = 0; j < indices.length; j++) {
    const pos = data.offset + (indices[j] as number);
    if (((bits[pos >> 3] as number) >> (pos & 7)) & 1) out[j >> 3] = (out[j >> 3] as number) | (1 << (j & 7));
  }
  return out;
}

/** Child row indices and new offsets for a variable-length parent (lists, maps, strings' bytes). */
function gatherRanges(
  offsets: Int32Array | BigInt64Array,
  indices: Int32Array,
): { newOffsets: Int32Array | BigInt64Array; ranges: [number, number][] } {
  const large = offsets instanceof BigInt64Array;
  const newOffsets = large ? new BigInt64Array(indices.length + 1) : new Int32Array(indices.length + 1);
  const ranges: [number, number][] = [];
  let total = 0;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j] as number;
    const start = Number(offsets[i]);
    const end = Number(offsets[i + 1]);
    ranges.push([start, end]);
    total += end - start;
    if (large) (newOffsets as BigInt64Array)[j + 1] = BigInt(total);
    else (newOffsets as Int32Array)[j + 1] = total;
  }
  return { newOffsets, ranges };
}

function rangeIndices(ranges: [number, number][]): Int32Array {
  let total = 0;
  for (const [s, e] of ranges) total += e - s;
  const out = new Int32Array(total);
  let k = 0;
  for (const [s, e] of ranges) for (let i = s; i < e; i++) out[k++] = i;
  return out;
}

/** The rows `indices` (ascending or not) of one column's data, in new buffers. */
function gatherData(data: Data, indices: Int32Array): Data {
  const type: ArrowType = data.type;
  const length = indices.length;
  const { nullBitmap, nullCount } = gatherValidity(data, indices);
  const base = { type, length, nullCount, ...(nullBitmap ? { nullBitmap } : {}) };
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length } as never);
    case Type.Bool:
      return makeData({ ...base, data: gatherBits(data, indices) } as never);
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const { newOffsets, ranges } = gatherRanges(data.valueOffsets as Int32Array | BigInt64Array, indices);
      const bytes = data.values as Uint8Array;
      const total = Number(newOffsets[newOffsets.length - 1] ?? 0);
      const out = new Uint8Array(total);
      let k = 0;
      for (const [s, e] of ranges) {
        out.set(bytes.subarray(s, e), k);
        k += e - s;
      }
      return makeData({ ...base, valueOffsets: newOffsets, data: out } as never);
    }
    case Type.List:
    case Type.Map: {
      const { newOffsets, ranges } = gatherRanges(data.valueOffsets as Int32Array, indices);
      const child = gatherData(data.children[0] as Data, rangeIndices(ranges));
      return makeData({ ...base, valueOffsets: newOffsets, child } as never);
    }
    case Type.FixedSizeList: {
      const size = (type as unknown as { listSize: number }).listSize;
      const ranges: [number, number][] = [...indices].map((i) => [i * size, (i + 1) * size]);
      const child = gatherData(data.children[0] as Data, rangeIndices(ranges));
      return makeData({ ...base, child } as never);
    }
    case Type.Struct: {
      const children = data.children.map((child) => gatherData(child, indices));
      return makeData({ ...base, children } as never);
    }
    case Type.Dictionary: {
      const keys = gatherFixed(data.values as TypedArray, 1, indices);
      return makeData({ ...base, data: keys, dictionary: data.dictionary } as never);
    }
    default: {
      if (DataType.isUnion(type) || data.values === undefined) {
        throw new TypeError(`cannot filter rows of Arrow type ${String(type)}`);
      }
      return makeData({ ...base, data: gatherFixed(data.values as TypedArray, data.stride, indices) } as never);
    }
  }
}

/** The rows `indices` of a record batch, in new buffers. */
export function gatherBatch(batch: RecordBatch, indices: Int32Array): RecordBatch {
  const children = batch.data.children.map((child) => gatherData(child, indices));
  return new RecordBatch(
    batch.schema,
    makeData({ type: new Struct(batch.schema.fields), length: indices.length, nullCount: 0, children }),
  );
}
