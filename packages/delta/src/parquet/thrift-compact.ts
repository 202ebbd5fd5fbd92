/**
 * A reader for Thrift's compact protocol (thrift/doc/specs/thrift-compact-protocol.md), enough to decode
 * a parquet footer (parquet-format's parquet.thrift FileMetaData) into plain objects keyed by field id.
 * parquet-wasm exposes row-group metadata but not column statistics, hence this small decoder.
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
class ThriftDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThriftDecodeError';
  }
}

/** Decodes one compact-protocol struct starting at `offset` of `bytes`. */
export function decodeThriftStruct(bytes: Uint8Array, offset = 0): ThriftStruct {
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
  const zigzag64 = (): bigint => {
    const n = varint();
    return (n >> 1n) ^ -(n & 1n);
  };
  const binary = (): Uint8Array => {
    const length = smallVarint();
    if (pos + length > bytes.length) throw new ThriftDecodeError(`binary of ${length} bytes runs past the end`);
    const out = bytes.subarray(pos, pos + length);
    pos += length;
    return out;
  };
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
      case CompactType.I64: {
        const n = zigzag64();
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
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
        const elementType = header & 0x0f;
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) {
          // Booleans inside collections are one byte each: 1 true, anything else false.
          items.push(
            elementType === CompactType.True || elementType === CompactType.False ? byte() === 1 : value(elementType),
          );
        }
        return items;
      }
      case CompactType.Map: {
        const size = smallVarint();
        const items: ThriftValue[] = [];
        if (size === 0) return items;
        const types = byte();
        for (let i = 0; i < size; i++) items.push([value(types >> 4), value(types & 0x0f)]);
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
    let lastId = 0;
    for (;;) {
      const header = byte();
      const type = header & 0x0f;
      if (type === CompactType.Stop) return fields;
      const delta = header >> 4;
      const id = delta === 0 ? zigzag32() : lastId + delta;
      lastId = id;
      fields.set(id, value(type));
    }
  };
  return struct();
}
