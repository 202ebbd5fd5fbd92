/**
 * Arrow IPC stream -> parquet bytes with parquet-wasm (arrow-rs's writer). Runs on the calling thread or in a worker
 * of the pool (parquet/decode-worker.ts loads it by file): erasable TypeScript only, importing nothing but parquet-wasm and
 * the error class.
 */
import * as pw from 'parquet-wasm';
import { DeltaError } from '../errors.ts';

/** Parquet compression codecs a written table may use. */
export type WriteCompression = 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'none';

/** How one parquet file is written. */
export interface EncodeSettings {
  readonly compression: WriteCompression;
  readonly rowGroupRows: number;
}

/**
 * The dictionary page limit. arrow-rs keeps a column dictionary-encoded until its dictionary page passes this size,
 * then writes the rest of the row group's column plain. Its default (1 MiB) never falls back for 64 Ki rows of 8-byte
 * values, so timestamps, ids and measures were hashed into a dictionary as large as the data: twice the encoding time
 * and files a third larger (bench/README.md, delta-write). At 32 KiB a column of few distinct values (names, codes,
 * statuses) still gets its dictionary and a column of distinct values falls back after a few thousand.
 */
const DICTIONARY_PAGE_BYTES = 32 * 1024;

/** The error for a table parquet-wasm refused to encode, naming the file it was for. */
export function encodeError(cause: unknown, where: string): DeltaError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DeltaError('unsupported-write', `cannot encode ${where} as parquet: ${reason}`, {
    path: where,
    hint: 'the data holds a type or value the parquet writer does not support; cast the column to a supported type',
  });
}

/** Encodes an Arrow IPC stream (one schema, its record batches) as one parquet file. */
export function encodeIPCToParquet(ipc: Uint8Array, settings: EncodeSettings): Uint8Array {
  const codec = {
    zstd: pw.Compression.ZSTD,
    snappy: pw.Compression.SNAPPY,
    gzip: pw.Compression.GZIP,
    // LZ4_RAW: the framed LZ4 codec is deprecated (parquet-format 2.9.0) and Hadoop's variant differs.
    lz4: pw.Compression.LZ4_RAW,
    none: pw.Compression.UNCOMPRESSED,
  }[settings.compression];
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(codec)
    .setMaxRowGroupSize(settings.rowGroupRows)
    .setDictionaryPageSizeLimit(DICTIONARY_PAGE_BYTES)
    .setCreatedBy('meridian-delta')
    .build();
  const table = pw.Table.fromIPCStream(ipc);
  // writeParquet consumes the table and the properties (wasm-bindgen moves them into Rust).
  return pw.writeParquet(table, properties);
}
