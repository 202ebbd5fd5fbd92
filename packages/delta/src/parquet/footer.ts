import { DeltaError } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import { decodeThriftStruct, type ThriftStruct, type ThriftValue, thriftNumber } from './thrift-compact.ts';

/*
 * The parts of a parquet footer (parquet-format parquet.thrift, FileMetaData) a scan uses: row groups,
 * their byte ranges and their column statistics. Field ids below are parquet.thrift's.
 */

/** parquet.thrift `Type`: the physical type of a column. */
type PhysicalType =
  | 'BOOLEAN'
  | 'INT32'
  | 'INT64'
  | 'INT96'
  | 'FLOAT'
  | 'DOUBLE'
  | 'BYTE_ARRAY'
  | 'FIXED_LEN_BYTE_ARRAY';
const physicalTypes: PhysicalType[] = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
];

/** The logical annotation of a leaf column, as far as statistics decoding needs it. */
interface LeafAnnotation {
  readonly timestampUnit?: 'MILLIS' | 'MICROS' | 'NANOS';
  readonly decimalScale?: number;
  readonly isString?: boolean;
  readonly isUnsigned?: boolean;
}

/** One leaf column of the parquet schema. */
export interface ParquetLeaf {
  readonly path: readonly string[];
  readonly physicalType: PhysicalType;
  readonly annotation: LeafAnnotation;
  /** The leaf's maximum definition and repetition levels: how many of it and its ancestors are optional, repeated. */
  readonly maxDefinition: number;
  readonly maxRepetition: number;
}

/** Raw statistics of one column chunk (parquet.thrift `Statistics`): bytes in the physical encoding. */
export interface ColumnChunkStatistics {
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
  readonly nullCount?: number;
}

/** One column chunk of a row group. */
interface ColumnChunkInfo {
  readonly path: readonly string[];
  /** Byte range [start, end) of the chunk's pages in the file. */
  readonly start: number;
  readonly end: number;
  /** ColumnMetaData total_uncompressed_size: the pages' bytes once decompressed (a bound on decode memory). */
  readonly uncompressedSize: number;
  readonly statistics: ColumnChunkStatistics | undefined;
  /** Byte ranges [start, end) of the chunk's page index (ColumnChunk offset_index / column_index), when written. */
  readonly offsetIndex?: readonly [number, number];
  readonly columnIndex?: readonly [number, number];
}

/** One row group. */
export interface RowGroupInfo {
  readonly index: number;
  readonly numRows: number;
  /** Row index of the group's first row within the file (deletion vectors index rows file-wide). */
  readonly firstRow: number;
  readonly columns: readonly ColumnChunkInfo[];
}

/** The decoded footer of a parquet file. */
export interface ParquetFooter {
  readonly numRows: number;
  readonly leaves: readonly ParquetLeaf[];
  readonly rowGroups: readonly RowGroupInfo[];
  /** Byte length of footer + 8-byte trailer, the tail of the file. */
  readonly tailLength: number;
  /**
   * Byte ranges of the page indexes (ColumnChunk column_index / offset_index): readers that load them
   * need them even when they skip the pages.
   */
  readonly indexRanges: readonly (readonly [number, number])[];
}

/** A footer read from storage, with the bytes of the file's end that the read fetched (the footer and what precedes it). */
export interface FetchedFooter extends ParquetFooter {
  readonly prefetched: { readonly start: number; readonly bytes: Uint8Array };
}

/**
 * PROTOCOL.md "Add File": `size` is the file's size in bytes; a file of another size is not the file the log names.
 * `expected` 0 (a remove action without `size`, read for change data) leaves nothing to compare with.
 */
export function checkFileSize(key: string, expected: number, actual: number): void {
  if (expected === 0 || actual === expected) return;
  throw new DeltaError(
    'data-file-mismatch',
    `${key} is ${actual} bytes, but its add action says ${expected}: it is not the file the log committed`,
    {
      path: key,
      hint: 'the data file was replaced, truncated or copied partially; restore it from a copy of the table',
    },
  );
}

/** "PAR1", at both ends of a parquet file. */
export const PARQUET_MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]);
const MAGIC = 0x31524150; // PARQUET_MAGIC read as a little-endian uint32
// One ranged read usually catches the whole footer; a larger footer costs a second read.
const FOOTER_PREFETCH = 64 * 1024;

const num = thriftNumber;

function str(value: ThriftValue | undefined): string | undefined {
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;
}

function struct(value: ThriftValue | undefined): ThriftStruct | undefined {
  return value instanceof Map ? value : undefined;
}

function list(value: ThriftValue | undefined): ThriftValue[] {
  return Array.isArray(value) ? value : [];
}

function annotationOf(element: ThriftStruct): LeafAnnotation {
  const logical = struct(element.get(10));
  const converted = num(element.get(6));
  if (logical) {
    if (logical.has(1)) return { isString: true };
    const decimal = struct(logical.get(5));
    if (decimal) return { decimalScale: num(decimal.get(1)) ?? 0 };
    const timestamp = struct(logical.get(8));
    if (timestamp) {
      const unit = struct(timestamp.get(2));
      const timestampUnit = unit?.has(1) ? 'MILLIS' : unit?.has(3) ? 'NANOS' : 'MICROS';
      return { timestampUnit };
    }
    const integer = struct(logical.get(10));
    if (integer && integer.get(2) === false) return { isUnsigned: true };
    if (logical.has(4) || logical.has(12)) return { isString: true };
  }
  switch (converted) {
    case 0:
    case 4:
      return { isString: true };
    case 5:
      return { decimalScale: num(element.get(7)) ?? 0 };
    case 9:
      return { timestampUnit: 'MILLIS' };
    case 10:
      return { timestampUnit: 'MICROS' };
    case 11:
    case 12:
    case 13:
    case 14:
      return { isUnsigned: true };
    default:
      return {};
  }
}

/** The leaves of a footer's schema (FileMetaData.schema, depth first): the order its column chunks follow. */
export function leavesOf(schema: ThriftValue[]): ParquetLeaf[] {
  const leaves: ParquetLeaf[] = [];
  let index = 1; // element 0 is the root
  const walk = (prefix: string[], count: number, definition: number, repetition: number): void => {
    for (let i = 0; i < count && index < schema.length; i++) {
      const element = struct(schema[index++]) ?? new Map();
      const name = str(element.get(4)) ?? '';
      const children = num(element.get(5)) ?? 0;
      // repetition_type: 0 required, 1 optional, 2 repeated (absent is required).
      const kind = num(element.get(3)) ?? 0;
      const def = definition + (kind === 0 ? 0 : 1);
      const rep = repetition + (kind === 2 ? 1 : 0);
      if (children > 0) walk([...prefix, name], children, def, rep);
      else {
        const type = physicalTypes[num(element.get(1)) ?? -1];
        if (type)
          leaves.push({
            path: [...prefix, name],
            physicalType: type,
            annotation: annotationOf(element),
            maxDefinition: def,
            maxRepetition: rep,
          });
      }
    }
  };
  const root = struct(schema[0]);
  walk([], num(root?.get(5)) ?? schema.length - 1, 0, 0);
  return leaves;
}

function statisticsOf(meta: ThriftStruct, physicalType: PhysicalType | undefined): ColumnChunkStatistics | undefined {
  const stats = struct(meta.get(12));
  if (!stats) return undefined;
  let min = stats.get(6);
  let max = stats.get(5);
  // The deprecated min/max (fields 2 and 1) were written with signed byte order, wrong for strings
  // and decimals (PARQUET-686); trust them only for numeric and boolean columns.
  const numeric = physicalType !== 'BYTE_ARRAY' && physicalType !== 'FIXED_LEN_BYTE_ARRAY' && physicalType !== 'INT96';
  if (min === undefined && max === undefined && numeric) {
    min = stats.get(2);
    max = stats.get(1);
  }
  const nullCount = num(stats.get(3));
  return {
    ...(min instanceof Uint8Array ? { min } : {}),
    ...(max instanceof Uint8Array ? { max } : {}),
    ...(nullCount !== undefined ? { nullCount } : {}),
  };
}

/** Decodes a footer's FileMetaData bytes (the thrift struct before the trailing length and magic). */
function decodeParquetFooter(metadata: Uint8Array, tailLength: number): ParquetFooter {
  const file = decodeThriftStruct(metadata);
  const leaves = leavesOf(list(file.get(2)));
  const typeByPath = new Map(leaves.map((leaf) => [leaf.path.join('\u0000'), leaf.physicalType]));
  let firstRow = 0;
  const indexRanges: [number, number][] = [];
  const rowGroups = list(file.get(4)).map((value, index): RowGroupInfo => {
    const group = struct(value) ?? new Map();
    const numRows = num(group.get(3)) ?? 0;
    const columns = list(group.get(1)).map((chunkValue): ColumnChunkInfo => {
      const chunk = struct(chunkValue) ?? new Map();
      const pageIndex: { offsetIndex?: [number, number]; columnIndex?: [number, number] } = {};
      for (const [offsetField, lengthField, name] of [
        [4, 5, 'offsetIndex'],
        [6, 7, 'columnIndex'],
      ] as const) {
        const offset = num(chunk.get(offsetField));
        const length = num(chunk.get(lengthField));
        if (offset !== undefined && length !== undefined && length > 0) {
          indexRanges.push([offset, offset + length]);
          pageIndex[name] = [offset, offset + length];
        }
      }
      const meta = struct(chunk.get(3)) ?? new Map();
      const path = list(meta.get(3)).map((part) => str(part) ?? '');
      const dictionaryOffset = num(meta.get(11));
      const dataOffset = num(meta.get(9)) ?? 0;
      const start =
        dictionaryOffset !== undefined && dictionaryOffset > 0 ? Math.min(dictionaryOffset, dataOffset) : dataOffset;
      return {
        path,
        start,
        end: start + (num(meta.get(7)) ?? 0),
        uncompressedSize: num(meta.get(6)) ?? 0,
        statistics: statisticsOf(meta, typeByPath.get(path.join('\u0000'))),
        ...pageIndex,
      };
    });
    const info = { index, numRows, firstRow, columns };
    firstRow += numRows;
    return info;
  });
  return { numRows: num(file.get(3)) ?? firstRow, leaves, rowGroups, tailLength, indexRanges };
}

/** Decodes the footer at the end of a whole parquet file in memory. */
export function parquetFooterOfBytes(bytes: Uint8Array, key: string): ParquetFooter {
  return footerFromTail(bytes, key);
}

function footerFromTail(tail: Uint8Array, key: string): ParquetFooter {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (tail.length < 8 || view.getUint32(tail.length - 4, true) !== MAGIC) {
    throw new DeltaError('storage', `${key} is not a parquet file (no PAR1 magic at its end)`, {
      path: key,
      hint: 'the table references a data file that is damaged or not parquet; check the file or restore it',
    });
  }
  const length = view.getUint32(tail.length - 8, true);
  if (length + 8 > tail.length) {
    throw new DeltaError('storage', `${key} is damaged: its footer claims ${length} bytes, more than the file holds`, {
      path: key,
      hint: 'the data file is truncated or not parquet; restore it from a copy of the table',
    });
  }
  try {
    return decodeParquetFooter(tail.subarray(tail.length - 8 - length, tail.length - 8), length + 8);
  } catch (error) {
    if (error instanceof DeltaError) throw error;
    throw new DeltaError('storage', `cannot decode the parquet footer of ${key}: ${(error as Error).message}`, {
      path: key,
      hint: 'the data file is damaged; check it with another parquet reader',
      cause: error,
    });
  }
}

/**
 * Reads and decodes a parquet file's footer with ranged reads (one, or two for a footer over 64 KiB). The first read
 * asks for one byte past `fileSize` (the add action's size), so a file of another size is found without a request
 * more: a range past the end is cut at the end (Storage.getRange).
 */
export async function readParquetFooter(storage: Storage, key: string, fileSize: number): Promise<FetchedFooter> {
  const start = Math.max(0, fileSize - FOOTER_PREFETCH);
  const read = await storage.getRange(key, start, fileSize + 1);
  if (read.length !== fileSize - start) {
    checkFileSize(key, fileSize, (await storage.head(key))?.size ?? start + read.length);
  }
  // (Only a file that changed between the two requests gets here with one byte more: read it as the log says.)
  const tail = read.subarray(0, Math.min(read.length, fileSize - start));
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (tail.length >= 8 && view.getUint32(tail.length - 4, true) === MAGIC) {
    const length = view.getUint32(tail.length - 8, true);
    if (length + 8 > tail.length && length + 8 <= fileSize) {
      const whole = await storage.getRange(key, fileSize - length - 8, fileSize);
      return { ...footerFromTail(whole, key), prefetched: { start: fileSize - whole.length, bytes: whole } };
    }
  }
  // The speculative tail read usually holds the page indexes and the last chunks too: the scan reuses them.
  return { ...footerFromTail(tail, key), prefetched: { start: fileSize - tail.length, bytes: tail } };
}
