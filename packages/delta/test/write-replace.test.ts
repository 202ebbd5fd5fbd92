import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdbOverActiveFiles } from './support/corpus-copy.ts';

const rows = (ids: number[], day: string[], qty: number[]) =>
  new Table({
    id: vectorFromArray(ids, new Int32()),
    day: vectorFromArray(day, new Utf8()),
    qty: vectorFromArray(qty, new Int32()),
  });
const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-replace-')), 't');

async function idsByDuckDB(dir: string): Promise<number[]> {
  const snapshot = await (await openTable(dir)).snapshot();
  const out = await duckdbOverActiveFiles(dir, snapshot, (files) => `SELECT id FROM ${files} ORDER BY id`);
  return out.map((r) => Number(r.id));
}

describe('replaceWhere', () => {
  it('replaces one partition and leaves the others and their files alone', async () => {
    const dir = await fresh();
    await writeTable(dir, rows([1, 2, 3, 4], ['d1', 'd2', 'd2', 'd3'], [1, 2, 3, 4]), {
      mode: 'create',
      partitionBy: ['day'],
    });
    const before = await (await openTable(dir)).snapshot();
    const result = await writeTable(dir, rows([20, 21], ['d2', 'd2'], [9, 9]), {
      mode: 'overwrite',
      replaceWhere: "day = 'd2'",
    });
    expect(result.removed).toBe(1);
    const after = await (await openTable(dir)).snapshot();
    const kept = before.files().filter((f) => f.partitionValues.day !== 'd2');
    for (const f of kept) expect(after.files().map((x) => x.path)).toContain(f.path);
    const read = await after.toArrow();
    expect([...(read.getChild('id') as Iterable<number>)].sort((a, b) => a - b)).toEqual([1, 4, 20, 21]);
  });

  it('rewrites the rows of a partly matching file that do not match, keeping rows where the predicate is null', async () => {
    const dir = await fresh();
    const qty = vectorFromArray([1, 7, null, 9, 2], new Int32());
    await writeTable(
      dir,
      new Table({
        id: vectorFromArray([1, 2, 3, 4, 5], new Int32()),
        day: vectorFromArray(['a', 'a', 'a', 'a', 'a'], new Utf8()),
        qty,
      }),
      { mode: 'create' },
    );
    await writeTable(dir, rows([10], ['b'], [6]), { mode: 'overwrite', replaceWhere: 'qty > 5' });
    const snapshot = await (await openTable(dir)).snapshot();
    const read = await snapshot.toArrow();
    expect([...(read.getChild('id') as Iterable<number>)].sort((a, b) => a - b)).toEqual([1, 3, 5, 10]);
    expect(await idsByDuckDB(dir)).toEqual([1, 3, 5, 10]);
  });

  it('refuses new rows outside the predicate, and replaceWhere on an append', async () => {
    const dir = await fresh();
    await writeTable(dir, rows([1], ['d1'], [1]), { mode: 'create', partitionBy: ['day'] });
    await expect(
      writeTable(dir, rows([2, 3], ['d1', 'd9'], [1, 1]), { mode: 'overwrite', replaceWhere: "day = 'd1'" }),
    ).rejects.toMatchObject({ code: 'constraint-violation', message: expect.stringContaining('row 1') });
    await expect(
      writeTable(dir, rows([2], ['d1'], [1]), { mode: 'append', replaceWhere: "day = 'd1'" }),
    ).rejects.toMatchObject({
      code: 'unsupported-write',
    });
    expect(await idsByDuckDB(dir)).toEqual([1]);
  });
});
