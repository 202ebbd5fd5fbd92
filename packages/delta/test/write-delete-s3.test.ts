import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { updateRows } from '../src/write/update-rows.ts';
import { writeTable } from '../src/write/write-table.ts';
import { describeS3, s3ScratchUri, s3TestOptions } from './setup/s3-env.ts';
import { harnessAgainstDuckDB } from './support/duckdb-answer.ts';

function rows(first: number, n: number): Table {
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i));
  return new Table({
    id: makeVector(makeData({ type: new Int64(), length: n, data: ids })),
    kind: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'a' : 'b')),
      new Utf8(),
    ),
  });
}

describeS3('deleteRows on S3', () => {
  it('deletes and updates while appends race it; a local copy passes the harness against DuckDB', async () => {
    const storage = openStorage(s3ScratchUri('delete'), { s3: s3TestOptions() });
    await writeTable(storage, rows(0, 300), { mode: 'create', partitionBy: ['kind'], maxRowsPerFile: 50 });
    const [deleted, ...appends] = await Promise.all([
      deleteRows(storage, 'id >= 100 and id < 200'),
      ...Array.from({ length: 3 }, (_, w) => writeTable(storage, rows(1000 * (w + 1), 20), { mode: 'append' })),
    ]);
    expect(deleted).toMatchObject({ committed: true, rowsMatched: 100 });
    expect(appends.every((a) => !a.skipped)).toBe(true);
    await updateRows(storage, "kind = 'a' and id < 30", { kind: 'c' });
    const read = await (await (await openTable(storage)).snapshot()).toArrow();
    const ids = [...(read.getChild('id') as Iterable<bigint>)].map(Number).sort((a, b) => a - b);
    const expected = [
      ...Array.from({ length: 200 }, (_, i) => (i < 100 ? i : i + 100)),
      ...[1000, 2000, 3000].flatMap((f) => Array.from({ length: 20 }, (_, i) => f + i)),
    ].sort((a, b) => a - b);
    expect(ids).toEqual(expected);
    const kinds = new Map(read.toArray().map((r) => [Number(r.id), String(r.kind)]));
    expect(kinds.get(3)).toBe('c');
    expect(kinds.get(33)).toBe('a');
    // The table as objects, copied down: DuckDB's replay of the log and read_parquet agree with our reader.
    const local = join(await mkdtemp(join(tmpdir(), 'meridian-delta-s3-copy-')), 't');
    for await (const o of storage.list('')) {
      await mkdir(dirname(join(local, o.key)), { recursive: true });
      await writeFile(join(local, o.key), await storage.get(o.key));
    }
    expect((await harnessAgainstDuckDB(local)).map((r) => r.problems)).toEqual([[]]);
  }, 120_000);
});
