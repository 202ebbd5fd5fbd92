import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { metaData, tempTable } from './support/delta-log.ts';

const protocol = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const add = (path: string) => ({
  add: { path, partitionValues: {}, size: 1, modificationTime: 0, dataChange: true },
});
const remove = (path: string) => ({ remove: { path, deletionTimestamp: 1, dataChange: true } });

describe('log replay compares canonical paths', () => {
  it('retires an add by a remove that spells the same file another way', async () => {
    const t = await tempTable();
    await t.commit(0, [
      protocol,
      metaData({ a: 'integer' }),
      add('part-1.parquet'),
      add('dir%20x/part-2.parquet'),
      add(`${t.root}/part-3.parquet`),
      add('/elsewhere/part-4.parquet'),
      add('keep.parquet'),
    ]);
    await t.commit(1, [
      remove(`file:${t.root}/part-1.parquet`),
      remove('dir x/part-2.parquet'),
      remove(`file://${t.root}/part-3.parquet`),
      remove('file:/elsewhere/part-4.parquet'),
    ]);
    const snapshot = await (await openTable(t.root)).snapshot();
    expect(snapshot.files().map((f) => f.path)).toEqual(['keep.parquet']);
    expect(snapshot.tombstones()).toHaveLength(4);
    // Before the remove, every file is live, under the path its add wrote.
    const first = await (await openTable(t.root)).snapshot({ version: 0 });
    expect(first.files().map((f) => f.path)).toContain('dir%20x/part-2.parquet');
    expect(first.files()).toHaveLength(5);
  });
});
