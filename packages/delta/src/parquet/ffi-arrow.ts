import {
  Binary,
  Bool,
  type Data,
  type DataType,
  Date_,
  DateUnit,
  Decimal,
  Duration,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float,
  Int,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  makeData,
  Null,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Time,
  Timestamp,
  TimeUnit,
  Type,
  tableFromIPC,
  Utf8,
} from 'apache-arrow';
import type { DecodedParquet } from './decode.ts';
import { type CopiedData, type CopiedField, type CopiedTable, fixedListSize } from './ffi-copy.ts';

/*
 * Turns a table copied out of parquet-wasm's memory through the Arrow C data interface (ffi-copy.ts) into
 * apache-arrow data on the calling thread, wrapping the copied buffers (no further copy). The types are read from the
 * C interface's format strings (https://arrow.apache.org/docs/format/CDataInterface.html, "Data type description"),
 * and must come out as tableFromIPC would make them for the same table: ffi-arrow.test.ts compares both paths.
 */

const FLAG_NULLABLE = 2;
const FLAG_MAP_KEYS_SORTED = 4;

const UNITS: Readonly<Record<string, TimeUnit>> = {
  s: TimeUnit.SECOND,
  m: TimeUnit.MILLISECOND,
  u: TimeUnit.MICROSECOND,
  n: TimeUnit.NANOSECOND,
};

function unit(letter: string | undefined, format: string): TimeUnit {
  const found = letter === undefined ? undefined : UNITS[letter];
  if (found === undefined) throw new Error(`Arrow C data interface: no time unit in format ${JSON.stringify(format)}`);
  return found;
}

// Built as apache-arrow's IPC reader builds them (the generic Int, Float, Date_ classes), so both paths give equal types.
const SIMPLE: Readonly<Record<string, () => DataType>> = {
  n: () => new Null(),
  b: () => new Bool(),
  c: () => new Int(true, 8),
  C: () => new Int(false, 8),
  s: () => new Int(true, 16),
  S: () => new Int(false, 16),
  i: () => new Int(true, 32),
  I: () => new Int(false, 32),
  l: () => new Int(true, 64),
  L: () => new Int(false, 64),
  e: () => new Float(Precision.HALF),
  f: () => new Float(Precision.SINGLE),
  g: () => new Float(Precision.DOUBLE),
  u: () => new Utf8(),
  U: () => new LargeUtf8(),
  z: () => new Binary(),
  Z: () => new LargeBinary(),
  tdD: () => new Date_(DateUnit.DAY),
  tdm: () => new Date_(DateUnit.MILLISECOND),
};

/** The apache-arrow field a copied C schema describes. */
function arrowField(field: CopiedField): Field {
  const metadata = new Map(field.metadata);
  return new Field(field.name, arrowType(field), (field.flags & FLAG_NULLABLE) !== 0, metadata);
}

function arrowType(field: CopiedField): DataType {
  const { format } = field;
  const simple = SIMPLE[format];
  if (simple) return simple();
  const child = (i: number): Field => arrowField(field.children[i] as CopiedField);
  if (format.startsWith('ts')) {
    const zone = format.slice(4);
    return new Timestamp(unit(format[2], format), zone === '' ? null : zone);
  }
  if (format.startsWith('tt'))
    return new Time(unit(format[2], format), format[2] === 's' || format[2] === 'm' ? 32 : 64);
  if (format.startsWith('tD')) return new Duration(unit(format[2], format));
  if (format.startsWith('d:')) {
    const [precision, scale, bitWidth] = format.slice(2).split(',').map(Number);
    return new Decimal(scale as number, precision as number, bitWidth ?? 128);
  }
  if (format.startsWith('w:')) return new FixedSizeBinary(Number(format.slice(2)));
  if (format === '+l') return new List(child(0));
  if (format === '+L') return new LargeList(child(0));
  if (format === '+s') return new Struct(field.children.map(arrowField));
  if (format === '+m') {
    return new Map_(
      child(0) as Field<Struct<{ key: DataType; value: DataType }>>,
      (field.flags & FLAG_MAP_KEYS_SORTED) !== 0,
    );
  }
  const listSize = fixedListSize(format);
  if (listSize !== undefined) return new FixedSizeList(listSize, child(0));
  throw new Error(`Arrow C data interface: format ${JSON.stringify(format)} is not read here`);
}

/** Wraps one copied array as apache-arrow data of `type`. */
function arrowData(type: DataType, data: CopiedData): Data {
  const base = { type, length: data.length, nullCount: data.nullCount, nullBitmap: data.validity };
  const [first, second] = data.buffers;
  const children = type.children ?? [];
  const child = (i: number): Data => arrowData((children[i] as Field).type, data.children[i] as CopiedData);
  let props: object;
  switch (type.typeId) {
    case Type.Null:
      props = { type, length: data.length, nullCount: data.length };
      break;
    case Type.Utf8:
    case Type.Binary:
      props = { ...base, valueOffsets: new Int32Array(bufferOf(first)), data: second };
      break;
    case Type.LargeUtf8:
    case Type.LargeBinary:
      props = { ...base, valueOffsets: new BigInt64Array(bufferOf(first)), data: second };
      break;
    case Type.List:
    case Type.Map:
      props = { ...base, valueOffsets: new Int32Array(bufferOf(first)), child: child(0) };
      break;
    case Type.LargeList:
      props = { ...base, valueOffsets: new BigInt64Array(bufferOf(first)), child: child(0) };
      break;
    case Type.FixedSizeList:
      props = { ...base, child: child(0) };
      break;
    case Type.Struct:
      props = { ...base, children: children.map((_, i) => child(i)) };
      break;
    default: // fixed width: makeData views the bytes as the type's array type
      props = { ...base, data: first };
  }
  return makeData(props as Parameters<typeof makeData>[0]);
}

function bufferOf(bytes: Uint8Array | undefined): ArrayBuffer {
  if (!bytes) throw new Error('Arrow C data interface: a buffer is missing');
  return bytes.buffer as ArrayBuffer;
}

/** The apache-arrow table of a copied one: the root struct's children become the columns. */
export function copiedToTable(copied: CopiedTable): Table {
  const { schema } = copied;
  if (schema.format !== '+s')
    throw new Error(`Arrow C data interface: a table's schema is ${schema.format}, not a struct`);
  const fields = schema.children.map(arrowField);
  const arrowSchema = new Schema(fields, new Map(schema.metadata));
  const struct = new Struct(fields);
  const batches = copied.batches.map(
    (batch) =>
      new RecordBatch(arrowSchema, arrowData(struct, { ...batch, nullCount: 0, validity: undefined }) as Data<Struct>),
  );
  return batches.length > 0 ? new Table(batches) : new Table(arrowSchema);
}

/** The apache-arrow table of a decode's result, whichever way it left wasm memory. */
export function decodedToTable(decoded: DecodedParquet): Table {
  return 'ipc' in decoded ? tableFromIPC(decoded.ipc) : copiedToTable(decoded.copied);
}
