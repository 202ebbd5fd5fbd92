import { ParquetFile, readParquet, type Table, wasmMemory } from 'parquet-wasm';
import { type CopiedField, type CopiedTable, copyStream, readCopyableSchema } from './ffi-copy.ts';
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

/** A decoded table as it leaves parquet-wasm: an Arrow IPC stream, or buffers copied through the C data interface. */
export type DecodedParquet = { readonly ipc: Uint8Array } | { readonly copied: CopiedTable };

/**
 * How decoded tables leave wasm memory: 'ffi' reads the Arrow C data interface and copies each buffer out
 * (ffi-copy.ts), 'ipc' serialises an Arrow IPC stream inside wasm memory and copies that out. 'ffi' costs about 10 %
 * less CPU on a full scan to Arrow and 20 % less on a streamed one (bench/README.md, "Issue 19: the Arrow C data
 * interface"); MERIDIAN_ARROW_EXPORT=ipc selects the old path, read when this module loads (in each decode worker when
 * it starts), so bench/delta-scan can compare both in one run.
 */
const arrowExport: 'ffi' | 'ipc' = process.env.MERIDIAN_ARROW_EXPORT === 'ipc' ? 'ipc' : 'ffi';

/**
 * Decodes parquet bytes with parquet-wasm. Its synchronous readParquet (0.8) ignores `columns` and decodes every
 * column; the async ParquetFile reader applies the projection, so a projected read goes through it.
 */
export async function decodeParquet(
  bytes: Uint8Array,
  options: DecodeOptions,
  via: 'ffi' | 'ipc' = arrowExport,
): Promise<DecodedParquet> {
  // INT96 columns relabelled FIXED_LEN_BYTE_ARRAY(12) decode exactly (int96.ts); fall back to the bytes as written.
  const relabelled = relabelInt96(bytes);
  if (relabelled) {
    try {
      return exportTable(await decodeAsIs(relabelled, options), via);
    } catch {
      // An embedded Arrow schema that insists on timestamps: decode as written below.
    }
  }
  return exportTable(await decodeAsIs(bytes, options), via);
}

/**
 * Moves a decoded table out of wasm memory and frees it. Through the C data interface when every field's format is
 * one ffi-copy.ts reads; any other (a dictionary, a view type, a union) keeps the IPC stream, so an unknown type is
 * never read differently.
 */
function exportTable(table: Table, via: 'ffi' | 'ipc'): DecodedParquet {
  if (via === 'ipc') return { ipc: table.intoIPCStream() };
  let schema: CopiedField | undefined;
  try {
    const ffiSchema = table.schema.intoFFI();
    try {
      schema = readCopyableSchema(wasmMemory(), ffiSchema.addr());
    } finally {
      ffiSchema.free();
    }
  } catch (error) {
    table.free();
    throw error;
  }
  if (!schema) return { ipc: table.intoIPCStream() };
  const stream = table.intoFFI();
  try {
    return { copied: copyStream(wasmMemory(), stream, schema) };
  } finally {
    stream.free();
  }
}

async function decodeAsIs(bytes: Uint8Array, options: DecodeOptions): Promise<Table> {
  if (!options.columns) return readParquet(bytes, options);
  const file = await ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    return await file.read(options);
  } finally {
    file.free();
  }
}
