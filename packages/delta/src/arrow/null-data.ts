import { type Data, type DataType, makeData, Type } from 'apache-arrow';

/** An all-null column of any Arrow type, with correctly sized buffers (children included). */
export function nullData(type: DataType, length: number): Data {
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  const base = { type, length, nullCount: length, nullBitmap } as const;
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length, nullCount: length } as never);
    case Type.Struct:
      return makeData({ ...base, type, children: type.children.map((f) => nullData(f.type, length)) } as never);
    case Type.List:
    case Type.Map:
      return makeData({
        ...base,
        type,
        valueOffsets: new Int32Array(length + 1),
        child: nullData(type.children[0]?.type as DataType, 0),
      } as never);
    case Type.Utf8:
    case Type.Binary:
      return makeData({ ...base, type, valueOffsets: new Int32Array(length + 1), data: new Uint8Array(0) } as never);
    case Type.Bool:
      return makeData({ ...base, type, data: new Uint8Array(Math.ceil(length / 8)) } as never);
    case Type.Decimal:
      return makeData({ ...base, type, data: new Uint32Array(length * 4) } as never);
    default: {
      const ArrayType = (type as unknown as { ArrayType: new (n: number) => ArrayLike<unknown> }).ArrayType;
      const stride = (type as unknown as { stride?: number }).stride ?? 1;
      return makeData({ ...base, type, data: new ArrayType(length * stride) } as never);
    }
  }
}
