import { ParquetFile, readParquet, type Table } from 'parquet-wasm';
import { relabelInt96 } from './int96.ts';

/** What to decode of a parquet file. */
export interface DecodeOptions {
  columns?: string[];
  rowGroups?: number[];
  batchSize?: number;
  /** Decode at most this many rows (from the first selected row group on). */
  limit?: number;
  /** Skip this many rows first, counted over the selected row groups in order (pages holding only skipped rows are not decoded). */
  offset?: number;
}

/**
 * Decodes parquet bytes into an Arrow IPC stream with parquet-wasm. Its synchronous readParquet (0.8)
 * ignores `columns` and decodes every column; the async ParquetFile reader applies the projection,
 * so a projected read goes through it.
 */
export async function decodeParquetToIPC(bytes: Uint8Array, options: DecodeOptions): Promise<Uint8Array> {
  // INT96 columns relabelled FIXED_LEN_BYTE_ARRAY(12) decode exactly (int96.ts); fall back to the bytes as written.
  const relabelled = relabelInt96(bytes);
  if (relabelled) {
    try {
      return await decodeAsIs(relabelled, options);
    } catch {
      // An embedded Arrow schema that insists on timestamps: decode as written below.
    }
  }
  return decodeAsIs(bytes, options);
}

async function decodeAsIs(bytes: Uint8Array, options: DecodeOptions): Promise<Uint8Array> {
  let table: Table;
  if (!options.columns) table = readParquet(bytes, options);
  else {
    const file = await ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    try {
      table = await file.read(options);
    } finally {
      file.free();
    }
  }
  return table.intoIPCStream();
}
