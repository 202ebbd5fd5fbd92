import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import type { Storage } from '../src/storage/storage.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { mergeRows } from '../src/write/merge-rows.ts';
import { replicate } from '../src/write/replicate.ts';
import { updateRows } from '../src/write/update-rows.ts';
import { writeTable } from '../src/write/write-table.ts';
import { describeS3, s3ScratchUri, s3TestOptions } from './setup/s3-env.ts';
import { harnessAgainstDuckDB } from './support/duckdb-answer.ts';

function rows(first: number, n: number, kind?: string): Table {
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i));
  return new Table({
    id: makeVector(makeData({ type: new Int64(), length: n, data: ids })),
    kind: vectorFromArray(
      Array.from({ length: n }, (_, i) => kind ?? (i % 3 === 0 ? 'a b' : 'b')),
      new Utf8(),
    ),
  });
}

async function sortedRows(storage: Storage): Promise<string[]> {
  const t = await (await (await openTable(storage)).snapshot()).toArrow();
  return t
    .toArray()
    .map((r) => `${Number(r.id)}:${r.kind}`)
    .sort();
}

async function localCopy(storage: Storage): Promise<string> {
  const local = join(await mkdtemp(join(tmpdir(), 'meridian-delta-s3-copy-')), 't');
  for await (const o of storage.list('')) {
    await mkdir(dirname(join(local, o.key)), { recursive: true });
    await writeFile(join(local, o.key), await storage.get(o.key));
  }
  return local;
}

describeS3('replicate on S3', () => {
  it('carries deletes (deletion vectors), updates and merges of a partitioned source into the target exactly', async () => {
    const source = openStorage(s3ScratchUri('replicate-source'), { s3: s3TestOptions() });
    const target = openStorage(s3ScratchUri('replicate-target'), { s3: s3TestOptions() });
    // A partition value with a space: its directory is percent-encoded in the log, which the tags must match.
    await writeTable(source, rows(0, 120), {
      mode: 'create',
      partitionBy: ['kind'],
      maxRowsPerFile: 30,
      configuration: { 'delta.enableDeletionVectors': 'true' },
    });
    await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
    await deleteRows(source, 'id >= 10 and id < 40');
    await updateRows(source, "kind = 'b' and id >= 100", { kind: 'c' });
    await mergeRows(source, rows(115, 10, 'm'), { on: ['id'], whenMatched: 'update', whenNotMatched: 'insert' });
    const result = await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
    expect(result.copies.map((c) => c.kind)).toEqual(['change', 'change', 'change']);
    const want = (await sortedRows(source)).map((r) => `${r}`);
    const t = await (await (await openTable(target)).snapshot()).toArrow();
    expect(t.toArray().every((r) => r.region === 'eu-west-1')).toBe(true);
    expect(await sortedRows(target)).toEqual(want);
    expect(want).toHaveLength(120 - 30 + 5);
    expect((await harnessAgainstDuckDB(await localCopy(target))).map((r) => r.problems)).toEqual([[]]);
  }, 180_000);
});
