import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Table as ArrowTable, type Table, tableToIPC } from 'apache-arrow';
import {
  type Compression,
  EnabledStatistics,
  Table as WasmTable,
  WriterPropertiesBuilder,
  type WriterVersion,
  writeParquet,
} from 'parquet-wasm';
import { expect } from 'vitest';
import { type DecodeOptions, decodeParquet } from '../../src/parquet/decode.ts';
import { decodedToTable } from '../../src/parquet/ffi-arrow.ts';
import {
  encodeThriftStruct,
  readThriftStruct,
  type ThriftStruct,
  type ThriftValue,
} from '../../src/parquet/thrift-compact.ts';
import { type FileSource, piecesSource } from '../../src/parquet/transcode.ts';

/** A Thrift integer (or anything) as a number. */
export const num = (value: ThriftValue | undefined) => Number(value);

/** Every parquet file under `dir`, sorted. */
export function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.parquet'))
    .map((name) => join(dir, name))
    .sort();
}

/** The footer of a parquet file, read with its wire types, and where it starts. */
export function footerOf(bytes: Uint8Array): { meta: ThriftStruct; start: number } {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 8, true);
  const start = bytes.length - 8 - length;
  return { meta: readThriftStruct(bytes, start, true).value, start };
}

/** A table's rows and schema as text: equal texts, equal answers (null slots' bytes and buffer padding aside). */
function rowsOf(table: Table): string {
  const rows = JSON.stringify(table.toArray(), (_key, value: unknown) =>
    typeof value === 'bigint'
      ? `${value}n`
      : value instanceof Uint8Array
        ? `0x${Buffer.from(value).toString('hex')}`
        : value,
  );
  return `${table.schema.toString()}\n${rows}`;
}

/** The rows a decode gives, or the decoder's refusal (arrow-rs cannot skip into some DELTA_BINARY_PACKED pages). */
export async function decodeRows(bytes: Uint8Array, options: DecodeOptions): Promise<string> {
  try {
    return rowsOf(decodedToTable(await decodeParquet(bytes, options)));
  } catch (error) {
    return `refused: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A source serving every byte of `bytes`. */
export function whole(bytes: Uint8Array): FileSource {
  return piecesSource(bytes.length, [{ start: 0, bytes }]);
}

/** The ColumnMetaData of every chunk of every row group. */
export function chunkMetas(meta: ThriftStruct): ThriftStruct[] {
  return (meta.get(4) as ThriftStruct[]).flatMap((group) =>
    (group.get(1) as ThriftStruct[]).map((chunk) => chunk.get(3) as ThriftStruct),
  );
}

/** Every page header of a chunk, from its first byte to its footer's total: [offset, header]. */
export function pagesOf(bytes: Uint8Array, column: ThriftStruct): [number, ThriftStruct][] {
  const start = num(column.get(11) ?? column.get(9));
  const pages: [number, ThriftStruct][] = [];
  let at = start;
  while (at < start + num(column.get(7))) {
    const { value, end } = readThriftStruct(bytes, at, true);
    pages.push([at, value]);
    at = end + num(value.get(3));
  }
  expect(at).toBe(start + num(column.get(7)));
  return pages;
}

/** The file with its footer replaced by `meta` written back. */
export function withFooter(bytes: Uint8Array, start: number, meta: ThriftStruct): Uint8Array {
  const footer = encodeThriftStruct(meta);
  const file = new Uint8Array(start + footer.length + 8);
  file.set(bytes.subarray(0, start));
  file.set(footer, start);
  new DataView(file.buffer).setUint32(start + footer.length, footer.length, true);
  file.set(bytes.subarray(bytes.length - 4), start + footer.length + 4);
  return file;
}

/**
 * `table` as parquet-wasm (arrow-rs) writes it: row groups of `rowGroup` rows, data pages of about 1 KiB (their size
 * checked every `batch` rows), page statistics and indexes; `plain` columns without a dictionary.
 */
export function arrowRsParquet(
  table: ArrowTable,
  codec: Compression,
  version: WriterVersion,
  options: { rowGroup: number; batch?: number; plain?: readonly string[] },
): Uint8Array {
  let builder = new WriterPropertiesBuilder()
    .setCompression(codec)
    .setWriterVersion(version)
    .setMaxRowGroupSize(options.rowGroup)
    .setDataPageSizeLimit(1024)
    .setStatisticsEnabled(EnabledStatistics.Page);
  if (options.batch !== undefined) builder = builder.setWriteBatchSize(options.batch);
  for (const column of options.plain ?? []) builder = builder.setColumnDictionaryEnabled(column, false);
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), builder.build());
}
