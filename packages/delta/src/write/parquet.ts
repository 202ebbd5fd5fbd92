import { type Table, tableToIPC } from 'apache-arrow';
import { loadParquetWasm } from '../read/parquet.ts';

/** Parquet compression codecs a written table may use. */
export type WriteCompression = 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'none';

/** The file-name infix Spark uses for each codec (`part-...-c000.zstd.parquet`). */
export const compressionSuffix: Readonly<Record<WriteCompression, string>> = {
  zstd: '.zstd',
  snappy: '.snappy',
  gzip: '.gz',
  lz4: '.lz4',
  none: '',
};

/** Encodes an Arrow table as one parquet file through parquet-wasm (arrow-rs's writer). */
export async function encodeParquet(
  table: Table,
  compression: WriteCompression,
  rowGroupRows: number,
): Promise<Uint8Array> {
  const pw = await loadParquetWasm();
  const codec = {
    zstd: pw.Compression.ZSTD,
    snappy: pw.Compression.SNAPPY,
    gzip: pw.Compression.GZIP,
    // LZ4_RAW: the framed LZ4 codec is deprecated (parquet-format 2.9.0) and Hadoop's variant differs.
    lz4: pw.Compression.LZ4_RAW,
    none: pw.Compression.UNCOMPRESSED,
  }[compression];
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(codec)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy('meridian-delta')
    .build();
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  return pw.writeParquet(wasmTable, properties);
}
