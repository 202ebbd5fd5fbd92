import { type Data, makeData } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { arrowType } from '../schema/arrow.ts';
import { type DeltaType, formatDeltaType } from '../schema/types.ts';
import { isNullPartitionValue, parsePartitionValue } from '../schema/value-text.ts';
import { nullData } from './null-data.ts';

function bad(value: string, type: string): never {
  throw new DeltaError('invalid-log', `partition value '${value}' is not a valid ${type}`, {
    hint: 'the add action carries a partition value its column type cannot hold (PROTOCOL.md "Partition Value Serialization")',
  });
}

function fill<T extends { fill(v: never): unknown }>(arr: T, v: unknown): T {
  arr.fill(v as never);
  return arr;
}

// Columns made lately, while some batch still holds them: every batch of one file (and of every file of one
// partition) has the same value and mostly the same length (a row group), so a scan's batches share one column
// instead of each allocating and filling its own (a full scan of 5M rows made 80 of them, 65 MB, on the calling
// thread). Arrow data is immutable; a weak reference keeps no column alive that no batch holds.
const recent = new Map<string, WeakRef<Data>>();
const RECENT_KEYS = 256;

/**
 * A column of `length` copies of one partition value, typed as the column's Delta type, parsed by the
 * parser pruning and the writer use too (schema/value-text.ts). `null`, the empty string and
 * `__HIVE_DEFAULT_PARTITION__` are a null partition value. Equal calls may return the same (immutable) data.
 */
export function partitionColumn(t: DeltaType, value: string | null | undefined, length: number): Data {
  const key = `${length}\u0000${value === undefined ? '\u0001' : value === null ? '\u0002' : `=${value}`}\u0000${JSON.stringify(t)}`;
  const known = recent.get(key)?.deref();
  if (known) return known;
  const data = makePartitionColumn(t, value, length);
  if (recent.size >= RECENT_KEYS) {
    for (const [k, ref] of recent) if (!ref.deref()) recent.delete(k);
    if (recent.size >= RECENT_KEYS) recent.clear();
  }
  recent.set(key, new WeakRef(data));
  return data;
}

function makePartitionColumn(t: DeltaType, value: string | null | undefined, length: number): Data {
  const type = arrowType(t);
  if (isNullPartitionValue(value)) return nullData(type, length);
  const parsed = parsePartitionValue(value, t);
  if (parsed === undefined) bad(value, formatDeltaType(t));
  const base = { type, length, nullCount: 0 };
  if (t.kind === 'decimal') {
    let u = BigInt.asUintN(128, parsed as bigint);
    const words = new Uint32Array(4);
    for (let w = 0; w < 4; w++) {
      words[w] = Number(u & 0xffffffffn);
      u >>= 32n;
    }
    const data = new Uint32Array(length * 4);
    for (let i = 0; i < length; i++) data.set(words, i * 4);
    return makeData({ ...base, data } as never);
  }
  if (t.kind !== 'primitive') return bad(value, t.kind);
  switch (t.name) {
    case 'string':
    case 'binary': {
      // PROTOCOL.md "Partition Value Serialization": strings are UTF-8, binary values strings of escaped bytes.
      const bytes = typeof parsed === 'string' ? new TextEncoder().encode(parsed) : (parsed as Uint8Array);
      const data = new Uint8Array(bytes.length * length);
      const valueOffsets = new Int32Array(length + 1);
      // Doubling copies: log2(length) memcpy calls instead of one small copy per row (a scan's hot spot).
      if (length > 0) data.set(bytes, 0);
      for (let filled = bytes.length; filled > 0 && filled < data.length; filled *= 2)
        data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
      for (let i = 1; i <= length; i++) valueOffsets[i] = i * bytes.length;
      return makeData({ ...base, data, valueOffsets } as never);
    }
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return makeData({ ...base, data: fill(new BigInt64Array(length), parsed) } as never);
    case 'integer':
    case 'short':
    case 'byte': {
      const A = t.name === 'integer' ? Int32Array : t.name === 'short' ? Int16Array : Int8Array;
      return makeData({ ...base, data: fill(new A(length), Number(parsed)) } as never);
    }
    case 'float':
    case 'double': {
      const A = t.name === 'float' ? Float32Array : Float64Array;
      return makeData({ ...base, data: fill(new A(length), parsed) } as never);
    }
    case 'boolean':
      return makeData({ ...base, data: fill(new Uint8Array(Math.ceil(length / 8)), parsed ? 0xff : 0) } as never);
    case 'date':
      return makeData({ ...base, data: fill(new Int32Array(length), parsed) } as never);
    default:
      return bad(value, t.name);
  }
}
