import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readThriftStruct, type ThriftStruct } from '../../src/parquet/thrift-compact.ts';

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
