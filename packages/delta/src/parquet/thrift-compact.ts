/**
 * Thrift's compact protocol (thrift/doc/specs/thrift-compact-protocol.md), enough to decode a parquet footer
 * (parquet-format's parquet.thrift FileMetaData) into plain objects keyed by field id, and to write back a footer or
 * page header edited in place (transcode.ts). parquet-wasm exposes row-group metadata but not column statistics,
 * hence this small codec.
 */

/** A decoded Thrift value: structs are maps from field id to value. */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftValue[] | ThriftStruct;

/** A decoded Thrift struct. */
export type ThriftStruct = Map<number, ThriftValue>;

const CompactType = {
  Stop: 0,
  True: 1,
  False: 2,
  Byte: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  Double: 7,
  Binary: 8,
  List: 9,
  Set: 10,
  Map: 11,
  Struct: 12,
} as const;

/** Thrown on malformed input; the caller turns it into a DeltaError naming the file. */
export class ThriftDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThriftDecodeError';
  }
}

/**
 * The wire types of a struct read with `keepTypes` (field id -> compact type), and of its lists and maps (the element
 * type, or a map's key and value types in one byte): what writing it back needs.
 */
const fieldTypes = new WeakMap<ThriftStruct, Map<number, number>>();
const elementTypes = new WeakMap<ThriftValue[], number>();

/** An integer field's value as a number (an i64 past 2^53 too, rounded); undefined for any other value. */
export function thriftNumber(value: ThriftValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** Decodes one compact-protocol struct starting at `offset` of `bytes`. */
export function decodeThriftStruct(bytes: Uint8Array, offset = 0): ThriftStruct {
  return readThriftStruct(bytes, offset).value;
}

/**
 * Decodes one struct at `offset`, and where it ends. With `keepTypes`, each struct, list and map remembers its wire
 * types, so `encodeThriftStruct` can write it back after fields are changed or deleted.
 */
export function readThriftStruct(
  bytes: Uint8Array,
  offset: number,
  keepTypes = false,
): { value: ThriftStruct; end: number } {
  let pos = offset;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const byte = (): number => {
    if (pos >= bytes.length) throw new ThriftDecodeError(`unexpected end of thrift data at byte ${pos}`);
    return bytes[pos++] as number;
  };
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ThriftDecodeError('varint too long');
    }
  };
  const smallVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new ThriftDecodeError('varint too long');
    }
  };
  const zigzag32 = (): number => {
    const n = smallVarint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  };
  // An i64 as a number when it is one exactly (|n| < 2^53), read without BigInt: a footer holds thousands (offsets,
  // sizes, counts), and BigInt arithmetic allocates at every step. Longer varints are read again as BigInt.
  const zigzag64 = (): number | bigint => {
    const start = pos;
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = byte();
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 128;
      // Seven bytes (49 bits) at most as a number: exact. Anything longer is read again as a BigInt.
      if (scale === 2 ** 49) {
        pos = start;
        const big = varint();
        const value = (big >> 1n) ^ -(big & 1n);
        return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(value)
          : value;
      }
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  };
  const binary = (): Uint8Array => {
    const length = smallVarint();
    if (pos + length > bytes.length) throw new ThriftDecodeError(`binary of ${length} bytes runs past the end`);
    const out = bytes.subarray(pos, pos + length);
    pos += length;
    return out;
  };
  // Every element of a list or map takes at least a byte: a size past the bytes left is a damaged header, refused
  // before a loop that would read nothing (booleans) could run to it.
  const checkSize = (size: number): void => {
    if (size > bytes.length - pos) throw new ThriftDecodeError(`a collection of ${size} runs past the end`);
  };
  // Booleans inside collections (lists, sets, maps) are one byte each: 1 true, anything else false.
  const element = (type: number): ThriftValue =>
    type === CompactType.True || type === CompactType.False ? byte() === 1 : value(type);
  const value = (type: number): ThriftValue => {
    switch (type) {
      case CompactType.True:
        return true;
      case CompactType.False:
        return false;
      case CompactType.Byte: {
        const b = byte();
        return b > 127 ? b - 256 : b;
      }
      case CompactType.I16:
      case CompactType.I32:
        return zigzag32();
      case CompactType.I64:
        return zigzag64();
      case CompactType.Double: {
        if (pos + 8 > bytes.length) throw new ThriftDecodeError('double runs past the end');
        const d = view.getFloat64(pos, true);
        pos += 8;
        return d;
      }
      case CompactType.Binary:
        return binary();
      case CompactType.List:
      case CompactType.Set: {
        const header = byte();
        let size = header >> 4;
        if (size === 15) size = smallVarint();
        checkSize(size);
        const elementType = header & 0x0f;
        const items: ThriftValue[] = [];
        if (keepTypes) elementTypes.set(items, elementType);
        for (let i = 0; i < size; i++) items.push(element(elementType));
        return items;
      }
      case CompactType.Map: {
        const size = smallVarint();
        checkSize(size);
        const items: ThriftValue[] = [];
        if (size === 0) return items;
        const types = byte();
        if (keepTypes) elementTypes.set(items, types);
        for (let i = 0; i < size; i++) items.push([element(types >> 4), element(types & 0x0f)]);
        return items;
      }
      case CompactType.Struct:
        return struct();
      default:
        throw new ThriftDecodeError(`unknown thrift compact type ${type} at byte ${pos - 1}`);
    }
  };
  const struct = (): ThriftStruct => {
    const fields: ThriftStruct = new Map();
    const types = keepTypes ? new Map<number, number>() : undefined;
    if (types) fieldTypes.set(fields, types);
    let lastId = 0;
    for (;;) {
      const header = byte();
      const type = header & 0x0f;
      if (type === CompactType.Stop) return fields;
      const delta = header >> 4;
      const id = delta === 0 ? zigzag32() : lastId + delta;
      lastId = id;
      types?.set(id, type === CompactType.False ? CompactType.True : type);
      fields.set(id, value(type));
    }
  };
  const result = struct();
  return { value: result, end: pos };
}

/** The compact types a field set with `setThriftField` may have. */
export type ThriftFieldType = 'bool' | 'i32' | 'i64' | 'binary';

/** Sets field `id` of a struct read with `keepTypes`, declaring its wire type when the field is new. */
export function setThriftField(struct: ThriftStruct, id: number, type: ThriftFieldType, value: ThriftValue): void {
  const types = fieldTypes.get(struct);
  if (!types) throw new TypeError('thrift: the struct was not read with its types');
  if (!types.has(id))
    types.set(
      id,
      { bool: CompactType.True, i32: CompactType.I32, i64: CompactType.I64, binary: CompactType.Binary }[type],
    );
  struct.set(id, value);
}

/** A growable byte buffer for the encoder. */
class Bytes {
  buf = new Uint8Array(256);
  length = 0;
  room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** An unsigned varint; a number must be a safe integer (BigInt arithmetic allocates at every step: only past 2^53). */
  varint(n: number | bigint): void {
    if (typeof n === 'number') {
      let v = n;
      while (v >= 0x80) {
        this.byte((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.byte(v);
      return;
    }
    let v = n;
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }
  zigzag(n: number | bigint): void {
    // 2|n| stays exact below 2^52.
    if (typeof n === 'number' && Number.isInteger(n) && Math.abs(n) < 2 ** 52) {
      this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
}

/**
 * Encodes a struct read with `keepTypes` (and edited) in the compact protocol, fields in ascending id order. Throws a
 * TypeError when a value's wire type is unknown (a struct or list built by hand): nothing is guessed.
 */
export function encodeThriftStruct(struct: ThriftStruct): Uint8Array {
  const out = new Bytes();
  writeStruct(out, struct);
  return out.buf.slice(0, out.length);
}

function writeStruct(out: Bytes, struct: ThriftStruct): void {
  const types = fieldTypes.get(struct);
  if (!types) throw new TypeError('thrift: the struct was not read with its types');
  let lastId = 0;
  // Fields read from the wire come in ascending order; only a field set anew may need sorting.
  let ids: Iterable<number> = struct.keys();
  let previous = Number.NEGATIVE_INFINITY;
  for (const id of struct.keys()) {
    if (id < previous) {
      ids = [...struct.keys()].sort((a, b) => a - b);
      break;
    }
    previous = id;
  }
  for (const id of ids) {
    const value = struct.get(id) as ThriftValue;
    let type = types.get(id);
    if (type === undefined) throw new TypeError(`thrift: field ${id} has no wire type`);
    if (type === CompactType.True) type = value === true ? CompactType.True : CompactType.False;
    if (id > lastId && id - lastId <= 15) out.byte(((id - lastId) << 4) | type);
    else {
      out.byte(type);
      out.zigzag(id);
    }
    lastId = id;
    if (type !== CompactType.True && type !== CompactType.False) writeValue(out, type, value);
  }
  out.byte(CompactType.Stop);
}

function writeValue(out: Bytes, type: number, value: ThriftValue): void {
  switch (type) {
    case CompactType.True:
    case CompactType.False:
      // Inside a collection a boolean is a byte: 1 true, 2 false.
      out.byte(value === true ? 1 : 2);
      return;
    case CompactType.Byte:
      out.byte((value as number) & 0xff);
      return;
    case CompactType.I16:
    case CompactType.I32:
    case CompactType.I64:
      out.zigzag(value as number | bigint);
      return;
    case CompactType.Double: {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, value as number, true);
      out.bytes(b);
      return;
    }
    case CompactType.Binary: {
      const b = value as Uint8Array;
      out.varint(b.length);
      out.bytes(b);
      return;
    }
    case CompactType.List:
    case CompactType.Set: {
      const items = value as ThriftValue[];
      const element = elementTypes.get(items);
      if (element === undefined) throw new TypeError('thrift: a list has no element type');
      if (items.length < 15) out.byte((items.length << 4) | element);
      else {
        out.byte(0xf0 | element);
        out.varint(items.length);
      }
      for (const item of items) writeValue(out, element, item);
      return;
    }
    case CompactType.Map: {
      const items = value as ThriftValue[];
      out.varint(items.length);
      if (items.length === 0) return;
      const kv = elementTypes.get(items);
      if (kv === undefined) throw new TypeError('thrift: a map has no key and value types');
      out.byte(kv);
      for (const pair of items) {
        const [k, v] = pair as ThriftValue[];
        writeValue(out, kv >> 4, k as ThriftValue);
        writeValue(out, kv & 0x0f, v as ThriftValue);
      }
      return;
    }
    case CompactType.Struct:
      writeStruct(out, value as ThriftStruct);
      return;
    default:
      throw new TypeError(`thrift: unknown compact type ${type}`);
  }
}
