import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../scripts/conformance/canonical.ts';
import { formatMicros } from '../src/arrow/variant.ts';
import { openTable } from '../src/index.ts';
import { int96ToMicros, relabelInt96 } from '../src/parquet/int96.ts';
import { readParquetBytes } from '../src/parquet/wasm.ts';
import { TableScan } from '../src/scan/table-scan.ts';

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '../../..', '../shared/delta-corpus');
const edge = join(corpus, 'table_with_edge_timestamps');

function int96(julianDay: number, nanosOfDay: bigint): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, nanosOfDay, true);
  v.setInt32(8, julianDay, true);
  return b;
}

describe('INT96 timestamps', () => {
  it('converts raw INT96 (nanos of day, Julian day) to microseconds, far dates included', () => {
    const raw = new Uint8Array(36);
    raw.set(int96(2_440_588, 1_500n), 0); // 1970-01-01 + 1.5 us
    raw.set(int96(5_373_484, 0n), 12); // 9999-12-31
    raw.set(int96(2_299_161, 86_399_999_999_000n), 24); // 1582-10-15T23:59:59.999999
    expect([...int96ToMicros(raw, 3)].map(formatMicros)).toEqual([
      '1970-01-01T00:00:00.000001',
      '9999-12-31T00:00:00.000000',
      '1582-10-15T23:59:59.999999',
    ]);
  });

  it('relabels INT96 columns so the decoder keeps their bytes', async () => {
    const file = readdirSync(edge).find((f) => f.endsWith('.parquet')) as string;
    const bytes = readFileSync(join(edge, file));
    const relabelled = relabelInt96(bytes);
    expect(relabelled).toBeDefined();
    // Only the footer changes: every data page stays where the column chunk offsets say.
    const dataEnd = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
    expect(Buffer.from(relabelled?.subarray(0, dataEnd) ?? []).equals(bytes.subarray(0, dataEnd))).toBe(true);
    const table = await readParquetBytes(bytes, file);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual([
      'FixedSizeBinary[12]',
      'FixedSizeBinary[12]',
      'Int32',
    ]);
    // A file without INT96 is left alone.
    const other = readdirSync(join(corpus, 'simple_table')).find((f) => f.endsWith('.parquet')) as string;
    expect(relabelInt96(readFileSync(join(corpus, 'simple_table', other)))).toBeUndefined();
  });

  it('reads year-9999 INT96 values exactly without help from statistics', async () => {
    const snap = await (await openTable(edge)).snapshot();
    const files = snap.files().map((f) => ({ ...f, stats: undefined }));
    const batches = (await new TableScan(snap.scanContext(), files, { decoder: 'main-thread' }).toArrow()).batches;
    const rows = canonicalize(batches, snap.schema.fields).rows.sort();
    expect(rows).toEqual([
      '["9999-12-30T00:00:00.000000Z","2022-02-01T00:00:00.000000Z","2"]',
      '["9999-12-31T00:00:00.000000Z","2022-01-01T00:00:00.000000Z","1"]',
    ]);
  });
});
