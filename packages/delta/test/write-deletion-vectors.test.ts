import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Int64, makeData, makeVector, type RecordBatch, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadDeletionVector } from '../src/deletion-vectors/descriptor.ts';
import { DecodePool } from '../src/parquet/worker-pool.ts';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { serializeRowIndexes } from '../src/write/deletion-vector-file.ts';
import { updateRows } from '../src/write/update-rows.ts';
import { vacuum } from '../src/write/vacuum.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdb } from './support/corpus-copy.ts';
import { harnessAgainstDuckDB } from './support/duckdb-answer.ts';

// DuckDB's delta extension cannot be installed offline, so DuckDB reads the active files with read_parquet and
// the positions each file's deletion vector marks (decoded by the reader, which reads Spark's and delta-rs's DVs in
// the corpus) are left out by file_row_number; the harness's answer subtracts the log's DV cardinalities.

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-dv-')), 't');
const DV = { 'delta.enableDeletionVectors': 'true' };

function rows(from: number, n: number): Table {
  return new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)) }),
    ),
    qty: vectorFromArray(
      Array.from({ length: n }, (_, i) => (from + i) % 97),
      new Int32(),
    ),
  });
}

type Row = [number, number];

async function ourRows(dir: string): Promise<Row[]> {
  const t = await (await (await openTable(dir)).snapshot()).toArrow();
  return t
    .toArray()
    .map((r): Row => [Number(r.id), Number(r.qty)])
    .sort((a, b) => a[0] - b[0]);
}

/** DuckDB's read_parquet over each active file, less the rows at the positions of its deletion vector. */
async function duckRows(dir: string): Promise<Row[]> {
  const snapshot = await (await openTable(dir)).snapshot();
  const out: Row[] = [];
  for (const f of snapshot.files()) {
    const dead = f.deletionVector ? [...(await loadDeletionVector(openStorage(dir), f.deletionVector))] : [];
    const path = join(dir, decodeURIComponent(f.path)).replaceAll("'", "''");
    const skip = dead.length === 0 ? '' : `WHERE file_row_number NOT IN (${dead.join(', ')})`;
    for (const r of await duckdb(`SELECT id, qty FROM read_parquet('${path}', file_row_number = true) ${skip}`))
      out.push([Number(r.id), Number(r.qty)]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

async function expectTable(dir: string, expected: Row[]): Promise<void> {
  const sorted = [...expected].sort((a, b) => a[0] - b[0]);
  expect(await ourRows(dir)).toEqual(sorted);
  expect(await duckRows(dir)).toEqual(sorted);
  expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
}

const model = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i): Row => [from + i, (from + i) % 97]);

describe('deletion vectors (delta.enableDeletionVectors)', () => {
  it('leaves out the marked rows of files read a row group at a time or whole, in workers and on the calling thread', async () => {
    // Iterated, a scan decodes a file in runs of row groups of up to 65,536 rows (bounded memory): the vector's
    // file-wide row positions must be translated for each run. Two files of row groups of 40,000, 40,000 and 20,000
    // rows (runs: the first group, then the other two); the deleted ranges span row group edges.
    const dir = await fresh();
    await writeTable(dir, rows(0, 100_000), { mode: 'create', configuration: DV, rowGroupRows: 40_000 });
    await writeTable(dir, rows(100_000, 100_000), { mode: 'append', rowGroupRows: 40_000 });
    const gone = (id: number) =>
      (id >= 39_990 && id < 40_010) ||
      (id >= 79_999 && id < 80_002) ||
      (id >= 139_000 && id < 185_000) ||
      id === 199_999;
    await deleteRows(
      dir,
      'id >= 39990 and id < 40010 or id >= 79999 and id < 80002 or id >= 139000 and id < 185000 or id = 199999',
    );
    const expected = model(0, 200_000).filter(([id]) => !gone(id));
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.files().every((f) => f.deletionVector !== null)).toBe(true);
    const pool = new DecodePool(2);
    try {
      for (const decoder of [pool, 'main-thread'] as const) {
        // Iterated, the scan decodes a row group at a time; toArrow() decodes each file whole.
        const scan = snapshot.scan({ decoder });
        const streamed: Row[] = [];
        for await (const batch of scan) for (const r of batch.toArray()) streamed.push([Number(r.id), Number(r.qty)]);
        expect(streamed.sort((a, b) => a[0] - b[0])).toEqual(expected);
        expect(scan.metrics.rowGroupsTotal).toBe(6);
        expect(scan.metrics.rowsDecoded).toBe(200_000);
        const whole = (await snapshot.toArrow({ decoder }))
          .toArray()
          .map((r): Row => [Number(r.id), Number(r.qty)])
          .sort((a, b) => a[0] - b[0]);
        expect(whole).toEqual(expected);
      }
    } finally {
      await pool.close();
    }
  });

  it('a delete marks rows in a deletion vector and keeps the file; a second delete extends it', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 200), { mode: 'create', maxRowsPerFile: 100, configuration: DV });
    const before = await (await openTable(dir)).snapshot();
    const first = await deleteRows(dir, 'id in (3, 50, 150)');
    expect(first).toMatchObject({ filesRemoved: 2, filesAdded: 2, deletionVectors: 2, rowsMatched: 3, rowsCopied: 0 });
    const second = await deleteRows(dir, 'id >= 48 and id < 52');
    expect(second).toMatchObject({ deletionVectors: 1, rowsMatched: 3 });
    const after = await (await openTable(dir)).snapshot();
    // The same data files, no new parquet: only deletion vectors.
    expect(
      after
        .files()
        .map((f) => f.path)
        .sort(),
    ).toEqual(
      before
        .files()
        .map((f) => f.path)
        .sort(),
    );
    const low = after.files().find((f) => f.stats?.minValues?.id === 0);
    expect(low?.deletionVector?.cardinality).toBe(5);
    expect(JSON.parse(low?.add.stats ?? '{}')).toMatchObject({ tightBounds: false, numRecords: 100 });
    expect(after.rowCount()).toMatchObject({ rows: 194 });
    await expectTable(
      dir,
      model(0, 200).filter(([id]) => ![3, 48, 49, 50, 51, 150].includes(id)),
    );
  });

  it('an update marks the old rows deleted and writes only the new ones', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 100), { mode: 'create', configuration: DV });
    const result = await updateRows(dir, 'id < 10', { qty: 1000 });
    expect(result).toMatchObject({ deletionVectors: 1, filesAdded: 2, rowsMatched: 10, rowsCopied: 0 });
    await expectTable(
      dir,
      model(0, 100).map(([id, q]): Row => [id, id < 10 ? 1000 : q]),
    );
    // Deleting every remaining row of the file removes it outright.
    await deleteRows(dir, 'id >= 10');
    await expectTable(
      dir,
      model(0, 10).map(([id]): Row => [id, 1000]),
    );
  });

  it('bitmap containers and several 65536-row blocks (70000 rows, 10000 deleted across two blocks)', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 70_000), { mode: 'create', configuration: DV });
    await deleteRows(dir, 'id >= 60000 and id < 70000');
    await deleteRows(dir, 'id < 5000 and qty = 3');
    const expected = model(0, 70_000).filter(([id, q]) => id < 60_000 && !(id < 5000 && q === 3));
    expect(await ourRows(dir)).toEqual(expected);
    expect(await duckRows(dir)).toEqual(expected);
    const file = (await (await openTable(dir)).snapshot()).files()[0];
    expect(file?.deletionVector?.cardinality).toBe(70_000 - expected.length);
  }, 60_000);

  it('the change data feed gets the deleted rows as cdc files', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 10), {
      mode: 'create',
      configuration: { ...DV, 'delta.enableChangeDataFeed': 'true' },
    });
    await deleteRows(dir, 'id = 4');
    const changes: string[] = [];
    for await (const b of (await openTable(dir)).changes(1) as AsyncIterable<RecordBatch>)
      for (const r of new Table(b).toArray()) changes.push(`${r._change_type}:${Number(r.id)}`);
    expect(changes).toEqual(['delete:4']);
    await expectTable(
      dir,
      model(0, 10).filter(([id]) => id !== 4),
    );
  });

  it('vacuum with no retention keeps the deletion vectors live files name and drops the replaced ones', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 20), { mode: 'create', configuration: DV });
    await deleteRows(dir, 'id = 1');
    await deleteRows(dir, 'id = 2');
    const report = await vacuum(dir, { retentionHours: 0, force: true });
    const deletedVectors = report.files.filter((f) => f.key.startsWith('deletion_vector_'));
    expect(deletedVectors).toHaveLength(1);
    const live = (await (await openTable(dir)).snapshot()).files()[0]?.deletionVector;
    expect(live?.cardinality).toBe(2);
    // The latest version reads whole (older ones lost their vectors to the zero-hour window, as asked).
    const expected = model(0, 20).filter(([id]) => id !== 1 && id !== 2);
    expect(await ourRows(dir)).toEqual(expected);
    expect(await duckRows(dir)).toEqual(expected);
  });

  it('with the property false, a delete rewrites the file (no new deletion vector)', async () => {
    const dir = await fresh();
    await writeTable(dir, rows(0, 10), { mode: 'create', configuration: { 'delta.enableDeletionVectors': 'false' } });
    expect(await deleteRows(dir, 'id = 4')).toMatchObject({ deletionVectors: 0, rowsCopied: 9 });
    await expectTable(
      dir,
      model(0, 10).filter(([id]) => id !== 4),
    );
  });

  it('the bitmap follows RoaringFormatSpec: each container found by its offset header, not only by scanning', () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => i * 3),
      ...Array.from({ length: 5000 }, (_, i) => 65536 + i),
      ...[131072 + 7, 131072 + 9],
    ];
    const bytes = serializeRowIndexes(rows);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(v.getUint32(0, true)).toBe(1681511377);
    expect(v.getBigUint64(4, true)).toBe(1n);
    expect(v.getUint32(12, true)).toBe(0);
    const start = 16;
    expect(v.getUint32(start, true)).toBe(12346);
    const n = v.getUint32(start + 4, true);
    expect(n).toBe(3);
    const found: number[] = [];
    for (let i = 0; i < n; i++) {
      const key = v.getUint16(start + 8 + 4 * i, true);
      const card = v.getUint16(start + 10 + 4 * i, true) + 1;
      const at = start + v.getUint32(start + 8 + 4 * n + 4 * i, true);
      if (card > 4096) {
        for (let bit = 0; bit < 65536; bit++)
          if ((bytes[at + (bit >> 3)] as number) & (1 << (bit & 7))) found.push(key * 65536 + bit);
      } else {
        for (let j = 0; j < card; j++) found.push(key * 65536 + v.getUint16(at + 2 * j, true));
      }
    }
    expect(found).toEqual(rows);
    expect(bytes.length).toBe(16 + 8 + 8 * 3 + 20 + 8192 + 4);
  });
});
