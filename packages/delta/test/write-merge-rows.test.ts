import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Int64, type RecordBatch, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { mergeRows } from '../src/write/merge-rows.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdbLiveRows, harnessAgainstDuckDB } from './support/duckdb-answer.ts';

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-merge-')), 't');

type Row = { id: number | null; name: string; qty: number };

function table(rows: readonly Row[]): Table {
  return new Table({
    id: vectorFromArray(
      rows.map((r) => (r.id === null ? null : BigInt(r.id))),
      new Int64(),
    ),
    name: vectorFromArray(
      rows.map((r) => r.name),
      new Utf8(),
    ),
    qty: vectorFromArray(
      rows.map((r) => r.qty),
      new Int32(),
    ),
  });
}
const range = (from: number, to: number, name = 'old', qty = (i: number) => i): Row[] =>
  Array.from({ length: to - from }, (_, i) => ({ id: from + i, name, qty: qty(from + i) }));
const order = (rows: Row[]) =>
  [...rows].sort((a, b) => (a.id ?? -1) - (b.id ?? -1) || a.name.localeCompare(b.name) || a.qty - b.qty);

async function expectTable(dir: string, expected: Row[]): Promise<void> {
  const snapshot = await (await openTable(dir)).snapshot();
  const ours = (await snapshot.toArrow())
    .toArray()
    .map((r): Row => ({ id: r.id === null ? null : Number(r.id), name: String(r.name), qty: Number(r.qty) }));
  expect(order(ours)).toEqual(order(expected));
  const duck = (await duckdbLiveRows(dir, ['id', 'name', 'qty'])).map(
    (r): Row => ({ id: r.id === null ? null : Number(r.id), name: String(r.name), qty: Number(r.qty) }),
  );
  expect(order(duck)).toEqual(order(expected));
  expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
}

describe('mergeRows', () => {
  it('upserts by key: matched rows updated, new keys inserted, files whose stats rule the keys out not read', async () => {
    const dir = await fresh();
    await writeTable(dir, table(range(0, 100)), { mode: 'create', maxRowsPerFile: 25 });
    const source = range(90, 110, 'new', (i) => i * 10);
    const result = await mergeRows(dir, table(source), { on: ['id'], whenMatched: 'update', whenNotMatched: 'insert' });
    expect(result).toMatchObject({
      committed: true,
      rowsMatched: 10,
      rowsInserted: 10,
      filesTotal: 4,
      filesSkipped: 3,
      filesRemoved: 1,
      rowsCopied: 15,
    });
    await expectTable(dir, [...range(0, 90), ...source]);
    const info = (await (await openTable(dir)).history({ limit: 1 }))[0]?.commitInfo;
    expect(info).toMatchObject({
      operation: 'MERGE',
      operationMetrics: { numTargetRowsUpdated: '10', numTargetRowsInserted: '10' },
    });
  });

  it('deletes matched rows; inserts only, leaving matched rows and their files alone', async () => {
    const dir = await fresh();
    await writeTable(dir, table(range(0, 20)), { mode: 'create', maxRowsPerFile: 10 });
    const del = await mergeRows(dir, table(range(5, 8, 'x')), { on: ['id'], whenMatched: 'delete' });
    expect(del).toMatchObject({ rowsMatched: 3, rowsInserted: 0 });
    const before = await (await openTable(dir)).snapshot();
    const ins = await mergeRows(dir, table([...range(15, 18, 'x'), ...range(30, 32, 'x')]), {
      on: ['id'],
      whenNotMatched: 'insert',
    });
    expect(ins).toMatchObject({ rowsMatched: 0, rowsInserted: 2, filesRemoved: 0 });
    const after = await (await openTable(dir)).snapshot();
    for (const f of before.files()) expect(after.files().map((g) => g.path)).toContain(f.path);
    await expectTable(dir, [...range(0, 5), ...range(8, 20), ...range(30, 32, 'x')]);
  });

  it('two keys, a null key (matches nothing: inserted) and the source refused when two rows share a key', async () => {
    const dir = await fresh();
    await writeTable(dir, table([...range(0, 3, 'a'), ...range(0, 3, 'b')]), { mode: 'create' });
    await mergeRows(
      dir,
      table([
        { id: 1, name: 'b', qty: 100 },
        { id: null, name: 'a', qty: 7 },
        { id: 9, name: 'a', qty: 9 },
      ]),
      { on: ['id', 'name'], whenMatched: 'update', whenNotMatched: 'insert' },
    );
    await expectTable(dir, [
      ...range(0, 3, 'a'),
      { id: 0, name: 'b', qty: 0 },
      { id: 1, name: 'b', qty: 100 },
      { id: 2, name: 'b', qty: 2 },
      { id: null, name: 'a', qty: 7 },
      { id: 9, name: 'a', qty: 9 },
    ]);
    await expect(
      mergeRows(dir, table([...range(1, 2), ...range(1, 2)]), { on: ['id'], whenMatched: 'update' }),
    ).rejects.toMatchObject({ code: 'unsupported-write', message: expect.stringContaining('same key') });
    await expect(mergeRows(dir, table(range(1, 2)), { on: ['nope'], whenMatched: 'delete' })).rejects.toMatchObject({
      code: 'unknown-column',
    });
    const wrong = new Table({ id: vectorFromArray([1], new Int32()) });
    await expect(mergeRows(dir, wrong, { on: ['id'], whenMatched: 'delete' })).rejects.toMatchObject({
      code: 'schema-mismatch',
    });
  });

  it('on a table with deletion vectors and the change data feed', async () => {
    const dir = await fresh();
    await writeTable(dir, table(range(0, 10)), {
      mode: 'create',
      configuration: { 'delta.enableDeletionVectors': 'true', 'delta.enableChangeDataFeed': 'true' },
    });
    const r = await mergeRows(dir, table([...range(3, 5, 'new', () => 0), ...range(20, 21, 'new')]), {
      on: ['id'],
      whenMatched: 'update',
      whenNotMatched: 'insert',
    });
    expect(r).toMatchObject({ deletionVectors: 1, rowsMatched: 2, rowsInserted: 1, rowsCopied: 0 });
    // A second merge of a key the vector already deleted must not see the dead copy.
    await mergeRows(dir, table(range(3, 4, 'newer', () => 1)), { on: ['id'], whenMatched: 'update' });
    // A key whose only row the vector deletes is not matched: inserting it again adds it.
    await mergeRows(dir, table(range(5, 6)), { on: ['id'], whenMatched: 'delete' });
    const back = await mergeRows(dir, table(range(5, 6, 'back')), { on: ['id'], whenNotMatched: 'insert' });
    expect(back).toMatchObject({ rowsInserted: 1 });
    await expectTable(dir, [
      ...range(0, 3),
      { id: 3, name: 'newer', qty: 1 },
      { id: 4, name: 'new', qty: 0 },
      { id: 5, name: 'back', qty: 5 },
      ...range(6, 10),
      { id: 20, name: 'new', qty: 20 },
    ]);
    const changes: string[] = [];
    for await (const b of (await openTable(dir)).changes(1, 1) as AsyncIterable<RecordBatch>)
      for (const c of new Table(b).toArray()) changes.push(`${c._change_type}:${Number(c.id)}:${c.name}`);
    expect(changes.sort()).toEqual(
      [
        'update_preimage:3:old',
        'update_preimage:4:old',
        'update_postimage:3:new',
        'update_postimage:4:new',
        'insert:20:new',
      ].sort(),
    );
  });
});
