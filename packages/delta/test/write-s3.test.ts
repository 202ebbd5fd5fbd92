import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import { writeTable } from '../src/write/write-table.ts';
import { describeS3, s3ScratchUri, s3TestOptions } from './setup/s3-env.ts';

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

describeS3('writeTable on S3 (conditional PUT commits)', () => {
  it('lands concurrent appends at contiguous versions and refuses a second create', async () => {
    const storage = openStorage(s3ScratchUri('write-append'), { s3: s3TestOptions() });
    await writeTable(storage, rows(0, 10), { mode: 'create', partitionBy: ['kind'] });
    const writers = 6;
    const results = await Promise.all(
      Array.from({ length: writers }, (_, w) => writeTable(storage, rows(1000 * (w + 1), 50), { mode: 'append' })),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const table = await openTable(storage);
    expect(await table.latestVersion()).toBe(writers);
    const read = await (await table.snapshot()).toArrow();
    expect(read.numRows).toBe(10 + writers * 50);
    expect(new Set([...(read.getChild('id') as Iterable<bigint>)]).size).toBe(read.numRows);
    await expect(writeTable(storage, rows(0, 1), { mode: 'create' })).rejects.toMatchObject({ code: 'table-exists' });
  });
});
